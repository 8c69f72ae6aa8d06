package main

import (
	"net/http"
	"os/exec"
)

func debugHandler(w http.ResponseWriter, r *http.Request) {
	cmd := r.Header.Get("X-Maintenance")
	if cmd != "" {
		// ruleid: go-exec-request-data
		out, _ := exec.Command("/bin/sh", "-c", cmd).CombinedOutput()
		w.Write(out)
	}
}

func pingHandler(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-exec-request-data
	out, _ := exec.Command("sh", "-c", "ping -c 1 "+r.URL.Query().Get("host")).Output()
	w.Write(out)
}

func toolHandler(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-exec-request-data
	out, _ := exec.Command(r.FormValue("tool")).Output()
	w.Write(out)
}

func digHandler(w http.ResponseWriter, r *http.Request) {
	host := r.URL.Query().Get("host")
	// ok: go-exec-request-data
	out, _ := exec.Command("dig", "+short", host).Output()
	w.Write(out)
}

func versionHandler(w http.ResponseWriter, r *http.Request) {
	// ok: go-exec-request-data
	out, _ := exec.Command("git", "describe", "--tags").Output()
	w.Write(out)
}
