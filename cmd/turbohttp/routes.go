package main

import (
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"strconv"
	"time"

	"turbohttp"
)

// Limits of the test routes, so that a stray request cannot tie the server
// up for long.
const (
	maxBytes       = 1 << 30 // GET /bytes/{n}
	maxStreamLines = 1 << 20 // GET /stream/{n}
	maxDelay       = time.Minute
)

// newRoutes returns the handler of turbohttp serve: the test routes, and
// files, when not nil, at / (in place of the hello-world route).
func newRoutes(files fs.FS) turbohttp.Handler {
	mux := turbohttp.NewServeMux()
	if files != nil {
		mux.Handle("/", turbohttp.FileServer(files))
	} else {
		mux.HandleFunc("GET /{$}", hello)
	}
	mux.HandleFunc("POST /echo", echo)
	mux.HandleFunc("PUT /echo", echo)
	mux.HandleFunc("GET /bytes/{n}", sendBytes)
	mux.HandleFunc("GET /stream/{n}", stream)
	mux.HandleFunc("GET /status/{code}", status)
	mux.HandleFunc("GET /delay/{ms}", delay)
	mux.HandleFunc("GET /headers", headers)
	return mux
}

func rootFS(root *os.Root) fs.FS {
	if root == nil {
		return nil
	}
	return root.FS()
}

func hello(w turbohttp.ResponseWriter, r *turbohttp.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteString("Hello, World!")
}

// echo answers with the request body and its Content-Type.
func echo(w turbohttp.ResponseWriter, r *turbohttp.Request) {
	ct := r.Header.Peek("Content-Type")
	if ct == nil {
		ct = []byte("application/octet-stream")
	}
	w.Header().SetBytes([]byte("Content-Type"), ct)
	if r.ContentLength > 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(r.ContentLength, 10))
	}
	io.Copy(w, r.Body)
}

// intParam returns the path value name as an int in [min, max], or answers
// 400 and returns false.
func intParam(w turbohttp.ResponseWriter, r *turbohttp.Request, name string, min, max int) (int, bool) {
	n, err := strconv.Atoi(r.PathValue(name))
	if err != nil || n < min || n > max {
		turbohttp.Error(w, name+" must be a number from "+strconv.Itoa(min)+" to "+strconv.Itoa(max), turbohttp.StatusBadRequest)
		return 0, false
	}
	return n, true
}

// sendBytes answers with n bytes of the alphabet, repeated.
func sendBytes(w turbohttp.ResponseWriter, r *turbohttp.Request) {
	n, ok := intParam(w, r, "n", 0, maxBytes)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(n))
	var chunk [32 << 10]byte
	for i := range chunk {
		chunk[i] = 'a' + byte(i%26)
	}
	for n > 0 {
		k := min(n, len(chunk)-len(chunk)%26)
		if _, err := w.Write(chunk[:k]); err != nil {
			return
		}
		n -= k
	}
}

// stream answers with n JSON lines, each flushed as its own chunk.
func stream(w turbohttp.ResponseWriter, r *turbohttp.Request) {
	n, ok := intParam(w, r, "n", 0, maxStreamLines)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	line := make([]byte, 0, 32)
	for i := 0; i < n; i++ {
		line = append(strconv.AppendInt(append(line[:0], `{"line":`...), int64(i), 10), "}\n"...)
		if _, err := w.Write(line); err != nil {
			return
		}
		if err := w.Flush(); err != nil {
			return
		}
	}
	w.Flush() // n == 0 still goes out chunked
}

// status answers with the status code asked for.
func status(w turbohttp.ResponseWriter, r *turbohttp.Request) {
	code, ok := intParam(w, r, "code", 200, 599)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(code)
	if code != turbohttp.StatusNoContent && code != turbohttp.StatusNotModified {
		w.WriteString(strconv.Itoa(code) + " " + turbohttp.StatusText(code) + "\n")
	}
}

// delay answers after the number of milliseconds asked for, or gives up
// when the request is cancelled.
func delay(w turbohttp.ResponseWriter, r *turbohttp.Request) {
	ms, ok := intParam(w, r, "ms", 0, int(maxDelay/time.Millisecond))
	if !ok {
		return
	}
	t := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteString("waited " + strconv.Itoa(ms) + " ms\n")
}

// headers answers with the request's header fields as a JSON object: each
// name, as first sent, maps to its values in order.
func headers(w turbohttp.ResponseWriter, r *turbohttp.Request) {
	type entry struct {
		name   string
		values []string
	}
	var fields []entry
	index := map[string]int{}
	for name, value := range r.Header.All() {
		key := string(turbohttp.AppendCanonicalKey(nil, name))
		i, ok := index[key]
		if !ok {
			i = len(fields)
			index[key] = i
			fields = append(fields, entry{name: key})
		}
		fields[i].values = append(fields[i].values, string(value))
	}
	out := []byte("{")
	for i, f := range fields {
		if i > 0 {
			out = append(out, ',')
		}
		name, _ := json.Marshal(f.name)
		values, _ := json.Marshal(f.values)
		out = append(append(append(out, "\n  "...), name...), ": "...)
		out = append(out, values...)
	}
	out = append(out, "\n}\n"...)
	w.Header().Set("Content-Type", "application/json")
	w.Write(out)
}
