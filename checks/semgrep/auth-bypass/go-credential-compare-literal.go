package auth

import "crypto/subtle"

func Check(user, password string) bool {
	// ruleid: go-credential-compare-literal
	if password == "debug-override-42" {
		return true
	}
	return checkStore(user, password)
}

func APIKeyOK(apiKey string) bool {
	// ruleid: go-credential-compare-literal
	return subtle.ConstantTimeCompare([]byte(apiKey), []byte("ak_3f9c1d77")) == 1
}

func Kind(tok token) bool {
	// ok: go-credential-compare-literal
	return tok.Kind == "ident"
}

func Required(password string) bool {
	// ok: go-credential-compare-literal
	return password == ""
}

func Verify(password string, hash []byte) bool {
	// ok: go-credential-compare-literal
	return bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil
}
