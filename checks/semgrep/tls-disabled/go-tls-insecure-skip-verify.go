package main

import "crypto/tls"

func client() *tls.Config {
	// ruleid: go-tls-insecure-skip-verify
	return &tls.Config{InsecureSkipVerify: true}
}

func pinned(pool *x509.CertPool) *tls.Config {
	// ok: go-tls-insecure-skip-verify
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

func fromFlag(insecure bool) *tls.Config {
	// ok: go-tls-insecure-skip-verify
	return &tls.Config{InsecureSkipVerify: insecure}
}
