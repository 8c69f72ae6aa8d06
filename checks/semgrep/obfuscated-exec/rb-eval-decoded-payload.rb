require "base64"
require "zlib"

# ruleid: rb-eval-decoded-payload
eval(Base64.decode64("cHV0cyAnaGkn"))

code = Zlib::Inflate.inflate(Base64.strict_decode64(PAYLOAD))
# ruleid: rb-eval-decoded-payload
instance_eval(code)

# ruleid: rb-eval-decoded-payload
system(["6375726c"].pack("H*"))

# ok: rb-eval-decoded-payload
avatar = Base64.decode64(params[:avatar])

# ok: rb-eval-decoded-payload
config = JSON.parse(Zlib::Inflate.inflate(blob))
