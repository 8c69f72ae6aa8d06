package main

import (
	"bytes"
	"net"
	"net/http"
)

func send(body []byte) {
	// ruleid: go-network-send
	http.Post("https://api.example.net/v1", "application/json", bytes.NewReader(body))
	conn, err := net.Dial("udp", "192.0.2.1:8125")
	if err != nil {
		return
	}
	// ruleid: go-network-send
	conn.Write(body)
}

func fetch() {
	// ok: go-network-send
	http.Get("https://api.example.net/v1/items")
}
