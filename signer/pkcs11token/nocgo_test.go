//go:build !cgo

package pkcs11token

const cgoEnabled = false
