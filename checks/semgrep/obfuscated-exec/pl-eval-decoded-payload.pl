use MIME::Base64;

# ruleid: pl-eval-decoded-payload
eval(pack("H*", "7072696e742022686922"));

# ruleid: pl-eval-decoded-payload
eval decode_base64($blob);

# ruleid: pl-eval-decoded-payload
my $code = unpack("u", $packed);
eval $code;

# ok: pl-eval-decoded-payload
my $bin = pack("N", $length);

# ok: pl-eval-decoded-payload
my $img = decode_base64($q->param('avatar'));

# ok: pl-eval-decoded-payload
eval { risky_call(); 1 } or warn $@;
