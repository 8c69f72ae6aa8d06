package main

import "os"

func env() []string {
	// ruleid: go-env-dump
	all := os.Environ()
	// ok: go-env-dump
	home := os.Getenv("HOME")
	_ = home
	return all
}
