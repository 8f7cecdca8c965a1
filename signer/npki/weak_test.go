package npki

import (
	"crypto"
	"testing"
)

func TestWeakProtection(t *testing.T) {
	k := newKey(t, testECDSA(t))
	info := k.info
	strong, err := EncryptKey(k, []byte("pw"), 0)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		der  []byte
		want bool
	}{
		{"an old PBES1 file is weak", sealPBES1(t, info, []byte("pw"), 2048), true},
		{"a legacy fixed-IV file is weak", sealLegacy(t, oidSeedCBC, info, []byte("pw"), 2048, false), true},
		{"PBES2 with HMAC-SHA1 is weak", sealPBES2(t, info, []byte("pw"), DefaultIterations, nil, crypto.SHA1, 0, oidSeedCBC), true},
		{"PBES2 with HMAC-SHA256 and few rounds is weak", sealPBES2(t, info, []byte("pw"), 2048, oidHMACWithSHA256, crypto.SHA256, 0, oidSeedCBC), true},
		{"what EncryptKey writes is not weak", strong, false},
		{"a damaged file is not called weak", []byte{0x30, 0x03, 0x01}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := WeakProtection(tc.der); got != tc.want {
				t.Fatalf("WeakProtection = %v, want %v", got, tc.want)
			}
		})
	}
}
