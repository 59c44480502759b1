module turbohttp/bench

go 1.26.0

replace turbohttp => ../

require (
	github.com/valyala/fasthttp v1.70.0
	turbohttp v0.0.0-00010101000000-000000000000
)

require (
	github.com/andybalholm/brotli v1.2.1 // indirect
	github.com/klauspost/compress v1.18.5 // indirect
	github.com/valyala/bytebufferpool v1.0.0 // indirect
)
