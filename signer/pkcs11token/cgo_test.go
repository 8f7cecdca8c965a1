//go:build cgo

package pkcs11token

import (
	"testing"

	"github.com/miekg/pkcs11"
)

const cgoEnabled = true

// TestConstantsMatchTheHeader checks this package's copies of the PKCS#11
// protocol values against miekg/pkcs11's, which come from pkcs11t.h.
func TestConstantsMatchTheHeader(t *testing.T) {
	for _, c := range []struct {
		name      string
		ours, hdr uint
	}{
		{"CKO_CERTIFICATE", ckoCertificate, pkcs11.CKO_CERTIFICATE},
		{"CKO_PRIVATE_KEY", ckoPrivateKey, pkcs11.CKO_PRIVATE_KEY},
		{"CKC_X_509", ckcX509, pkcs11.CKC_X_509},
		{"CKK_RSA", ckkRSA, pkcs11.CKK_RSA},
		{"CKK_EC", ckkEC, pkcs11.CKK_EC},
		{"CKA_CLASS", ckaClass, pkcs11.CKA_CLASS},
		{"CKA_LABEL", ckaLabel, pkcs11.CKA_LABEL},
		{"CKA_VALUE", ckaValue, pkcs11.CKA_VALUE},
		{"CKA_CERTIFICATE_TYPE", ckaCertificateType, pkcs11.CKA_CERTIFICATE_TYPE},
		{"CKA_KEY_TYPE", ckaKeyType, pkcs11.CKA_KEY_TYPE},
		{"CKA_ID", ckaID, pkcs11.CKA_ID},
		{"CKA_SIGN", ckaSign, pkcs11.CKA_SIGN},
		{"CKA_MODULUS", ckaModulus, pkcs11.CKA_MODULUS},
		{"CKA_EC_PARAMS", ckaECParams, pkcs11.CKA_EC_PARAMS},
		{"CKA_ALWAYS_AUTHENTICATE", ckaAlwaysAuthenticate, pkcs11.CKA_ALWAYS_AUTHENTICATE},
		{"CKM_RSA_PKCS", ckmRSAPKCS, pkcs11.CKM_RSA_PKCS},
		{"CKM_ECDSA", ckmECDSA, pkcs11.CKM_ECDSA},
		{"CKU_USER", ckuUser, pkcs11.CKU_USER},
		{"CKU_CONTEXT_SPECIFIC", ckuContextSpecific, pkcs11.CKU_CONTEXT_SPECIFIC},
		{"CKF_RW_SESSION", ckfRWSession, pkcs11.CKF_RW_SESSION},
		{"CKF_SERIAL_SESSION", ckfSerialSession, pkcs11.CKF_SERIAL_SESSION},
		{"CKF_LOGIN_REQUIRED", ckfLoginRequired, pkcs11.CKF_LOGIN_REQUIRED},
		{"CKF_PROTECTED_AUTHENTICATION_PATH", ckfProtectedAuthPath, pkcs11.CKF_PROTECTED_AUTHENTICATION_PATH},
		{"CKF_TOKEN_INITIALIZED", ckfTokenInitialized, pkcs11.CKF_TOKEN_INITIALIZED},
		{"CKF_USER_PIN_COUNT_LOW", ckfUserPINCountLow, pkcs11.CKF_USER_PIN_COUNT_LOW},
		{"CKF_USER_PIN_FINAL_TRY", ckfUserPINFinalTry, pkcs11.CKF_USER_PIN_FINAL_TRY},
		{"CKF_USER_PIN_LOCKED", ckfUserPINLocked, pkcs11.CKF_USER_PIN_LOCKED},
		{"CKF_USER_PIN_TO_BE_CHANGED", ckfUserPINToBeChanged, pkcs11.CKF_USER_PIN_TO_BE_CHANGED},
		{"CKR_CANT_LOCK", ckrCantLock, pkcs11.CKR_CANT_LOCK},
		{"CKR_DEVICE_ERROR", ckrDeviceError, pkcs11.CKR_DEVICE_ERROR},
		{"CKR_DEVICE_REMOVED", ckrDeviceRemoved, pkcs11.CKR_DEVICE_REMOVED},
		{"CKR_PIN_INCORRECT", ckrPINIncorrect, pkcs11.CKR_PIN_INCORRECT},
		{"CKR_PIN_INVALID", ckrPINInvalid, pkcs11.CKR_PIN_INVALID},
		{"CKR_PIN_LEN_RANGE", ckrPINLenRange, pkcs11.CKR_PIN_LEN_RANGE},
		{"CKR_PIN_EXPIRED", ckrPINExpired, pkcs11.CKR_PIN_EXPIRED},
		{"CKR_PIN_LOCKED", ckrPINLocked, pkcs11.CKR_PIN_LOCKED},
		{"CKR_SESSION_HANDLE_INVALID", ckrSessionHandleInvalid, pkcs11.CKR_SESSION_HANDLE_INVALID},
		{"CKR_TOKEN_NOT_PRESENT", ckrTokenNotPresent, pkcs11.CKR_TOKEN_NOT_PRESENT},
		{"CKR_USER_ALREADY_LOGGED_IN", ckrUserAlreadyLoggedIn, pkcs11.CKR_USER_ALREADY_LOGGED_IN},
		{"CKR_USER_NOT_LOGGED_IN", ckrUserNotLoggedIn, pkcs11.CKR_USER_NOT_LOGGED_IN},
		{"CKR_CRYPTOKI_ALREADY_INITIALIZED", ckrCryptokiAlreadyInitialized, pkcs11.CKR_CRYPTOKI_ALREADY_INITIALIZED},
		// The fake's own return values.
		{"CKR_ATTRIBUTE_SENSITIVE", ckrAttributeSensitive, pkcs11.CKR_ATTRIBUTE_SENSITIVE},
		{"CKR_ATTRIBUTE_TYPE_INVALID", ckrAttributeTypeInvalid, pkcs11.CKR_ATTRIBUTE_TYPE_INVALID},
		{"CKR_KEY_TYPE_INCONSISTENT", ckrKeyTypeInconsistent, pkcs11.CKR_KEY_TYPE_INCONSISTENT},
		{"CKR_OPERATION_ACTIVE", ckrOperationActive, pkcs11.CKR_OPERATION_ACTIVE},
		{"CKR_OPERATION_NOT_INITIALIZED", ckrOperationNotInitialized, pkcs11.CKR_OPERATION_NOT_INITIALIZED},
		{"CKR_SLOT_ID_INVALID", ckrSlotIDInvalid, pkcs11.CKR_SLOT_ID_INVALID},
	} {
		if c.ours != c.hdr {
			t.Errorf("%s: ours %#x, pkcs11t.h %#x", c.name, c.ours, c.hdr)
		}
	}
}
