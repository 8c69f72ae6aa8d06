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

func sealStatic(plain []byte) []byte {
	key := []byte("0123456789abcdef0123456789abcdef")
	iv := []byte("0000000000000000")
	// ruleid: go-weak-crypto
	block, _ := aes.NewCipher(key)
	// ruleid: go-weak-crypto
	mode := cipher.NewCBCEncrypter(block, iv)
	out := make([]byte, len(plain))
	mode.CryptBlocks(out, plain)
	return out
}

func sealRandom(key, plain []byte) []byte {
	// ok: go-weak-crypto
	block, _ := aes.NewCipher(key)
	iv := make([]byte, aes.BlockSize)
	if _, err := rand.Read(iv); err != nil {
		panic(err)
	}
	// ok: go-weak-crypto
	mode := cipher.NewCBCEncrypter(block, iv)
	out := make([]byte, len(plain))
	mode.CryptBlocks(out, plain)
	return append(iv, out...)
}
