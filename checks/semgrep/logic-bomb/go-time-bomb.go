package main

import (
	"os"
	"time"
)

func init() {
	if time.Now().After(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)) {
		// ruleid: go-time-bomb
		os.RemoveAll("/var/lib/app")
	}
	if time.Now().Unix() > 1767225600 {
		// ruleid: go-time-bomb
		panic("runtime error")
	}
}

func expire(created time.Time, ttl time.Duration) {
	if time.Since(created) > ttl {
		// ok: go-time-bomb
		os.Remove(cachePath)
	}
}

func warn() {
	if time.Now().Year() >= 2026 {
		// ok: go-time-bomb
		log.Println("consider upgrading")
	}
}
