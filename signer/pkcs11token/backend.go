package pkcs11token

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// backend is the part of the PKCS#11 API (Cryptoki) this package calls. The
// cgo build implements it with github.com/miekg/pkcs11 (ctx_cgo.go); tests
// implement it in Go, so everything above it is tested without a module.
//
// It speaks this package's own small types instead of miekg/pkcs11's, because
// that package cannot be imported without cgo and the logic must build
// everywhere. Errors that come from the module are rv values.
type backend interface {
	Initialize() error
	Finalize() error
	// Destroy unloads the module. It is called once, last.
	Destroy()

	GetSlotList(tokenPresent bool) ([]uint, error)
	GetTokenInfo(slot uint) (tokenInfo, error)

	OpenSession(slot uint, flags uint) (sessionHandle, error)
	CloseSession(sh sessionHandle) error
	Login(sh sessionHandle, userType uint, pin string) error
	Logout(sh sessionHandle) error

	FindObjectsInit(sh sessionHandle, template []attribute) error
	FindObjects(sh sessionHandle, max int) ([]objectHandle, error)
	FindObjectsFinal(sh sessionHandle) error
	// GetAttributeValue returns the values of the attribute types asked for,
	// in order. As in C_GetAttributeValue, one unreadable attribute fails the
	// whole call: ask for optional attributes one at a time.
	GetAttributeValue(sh sessionHandle, o objectHandle, types []uint) ([][]byte, error)

	SignInit(sh sessionHandle, mechanism uint, key objectHandle) error
	Sign(sh sessionHandle, data []byte) ([]byte, error)
}

type (
	sessionHandle uint
	objectHandle  uint
)

// attribute is one entry of a search template (CK_ATTRIBUTE). Value is a
// uint for CK_ULONG attributes (the backend lays it out as the platform's
// CK_ULONG, 4 bytes on Windows, 8 elsewhere on 64-bit) or a []byte.
type attribute struct {
	Type  uint
	Value any
}

// parseULong reads a CK_ULONG attribute value as the module wrote it: native
// byte order, 4 or 8 bytes.
func parseULong(b []byte) (uint, bool) {
	switch len(b) {
	case 4:
		return uint(binary.NativeEndian.Uint32(b)), true
	case 8:
		return uint(binary.NativeEndian.Uint64(b)), true
	}
	return 0, false
}

// tokenInfo is the part of CK_TOKEN_INFO this package reads.
type tokenInfo struct {
	Label, ManufacturerID, Model, SerialNumber string
	Flags                                      uint
}

// Protocol values from PKCS#11 v2.40 (OASIS, "PKCS #11 Cryptographic Token
// Interface Base Specification", and its header pkcs11t.h). A cgo test checks
// every one against miekg/pkcs11's copy of the header.
const (
	// Object classes (CKO_*) and certificate/key types.
	ckoCertificate = 0x1
	ckoPrivateKey  = 0x3
	ckcX509        = 0x0
	ckkRSA         = 0x0
	ckkEC          = 0x3

	// Attributes (CKA_*).
	ckaClass              = 0x000
	ckaLabel              = 0x003
	ckaValue              = 0x011
	ckaCertificateType    = 0x080
	ckaKeyType            = 0x100
	ckaID                 = 0x102
	ckaSign               = 0x108
	ckaModulus            = 0x120
	ckaECParams           = 0x180
	ckaAlwaysAuthenticate = 0x202

	// Mechanisms (CKM_*).
	ckmRSAPKCS = 0x0001
	ckmECDSA   = 0x1041

	// User types (CKU_*) and session flags (CKF_*).
	ckuUser            = 1
	ckuContextSpecific = 2
	ckfRWSession       = 0x2
	ckfSerialSession   = 0x4

	// Token flags (CK_TOKEN_INFO.flags).
	ckfLoginRequired      = 0x00000004
	ckfProtectedAuthPath  = 0x00000100
	ckfTokenInitialized   = 0x00000400
	ckfUserPINCountLow    = 0x00010000
	ckfUserPINFinalTry    = 0x00020000
	ckfUserPINLocked      = 0x00040000
	ckfUserPINToBeChanged = 0x00080000

	// Return values (CKR_*).
	ckrCantLock                   = 0x00A
	ckrDeviceError                = 0x030
	ckrDeviceRemoved              = 0x032
	ckrPINIncorrect               = 0x0A0
	ckrPINInvalid                 = 0x0A1
	ckrPINLenRange                = 0x0A2
	ckrPINExpired                 = 0x0A3
	ckrPINLocked                  = 0x0A4
	ckrSessionHandleInvalid       = 0x0B3
	ckrTokenNotPresent            = 0x0E0
	ckrUserAlreadyLoggedIn        = 0x100
	ckrUserNotLoggedIn            = 0x101
	ckrCryptokiAlreadyInitialized = 0x191
)

// rv is a PKCS#11 return value other than CKR_OK, as an error.
type rv uint

var rvNames = map[rv]string{
	ckrCantLock:                   "CKR_CANT_LOCK",
	ckrDeviceError:                "CKR_DEVICE_ERROR",
	ckrDeviceRemoved:              "CKR_DEVICE_REMOVED",
	ckrPINIncorrect:               "CKR_PIN_INCORRECT",
	ckrPINInvalid:                 "CKR_PIN_INVALID",
	ckrPINLenRange:                "CKR_PIN_LEN_RANGE",
	ckrPINExpired:                 "CKR_PIN_EXPIRED",
	ckrPINLocked:                  "CKR_PIN_LOCKED",
	ckrSessionHandleInvalid:       "CKR_SESSION_HANDLE_INVALID",
	ckrTokenNotPresent:            "CKR_TOKEN_NOT_PRESENT",
	ckrUserAlreadyLoggedIn:        "CKR_USER_ALREADY_LOGGED_IN",
	ckrUserNotLoggedIn:            "CKR_USER_NOT_LOGGED_IN",
	ckrCryptokiAlreadyInitialized: "CKR_CRYPTOKI_ALREADY_INITIALIZED",
}

func (e rv) Error() string {
	if name, ok := rvNames[e]; ok {
		return fmt.Sprintf("%s (0x%X)", name, uint(e))
	}
	return fmt.Sprintf("PKCS#11 error 0x%X", uint(e))
}

// isRV reports whether err is (or wraps) the PKCS#11 return value code.
func isRV(err error, code rv) bool {
	var e rv
	return errors.As(err, &e) && e == code
}
