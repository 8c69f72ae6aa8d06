package main

import (
	"crypto/des"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
)

func weak(key []byte, password string) {
	// ruleid: go-weak-crypto
	block, _ := des.NewCipher(key)
	// ruleid: go-weak-crypto
	priv, _ := rsa.GenerateKey(rand.Reader, 1024)
	// ruleid: go-weak-crypto
	sum := md5.Sum([]byte(password))
	// ok: go-weak-crypto
	strong, _ := rsa.GenerateKey(rand.Reader, 4096)
	// ok: go-weak-crypto
	etag := md5.Sum([]byte(body))
	_, _, _, _, _ = block, priv, sum, strong, etag
}
