package npki

import (
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bonsign/bonsign/internal/testpki"
)

// Made-up resident registration numbers (the first with a right check
// digit, the second differing in its last digits).
const (
	testRRN  = "8001011234560"
	otherRRN = "8001011234578"
)

func TestVIDRoundTrip(t *testing.T) {
	ca := testpki.NewCA(t, "test CA")
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256} {
		t.Run(h.String(), func(t *testing.T) {
			ext, err := MakeIdentifyDataExtension("홍길동", testRRN, testR, h)
			if err != nil {
				t.Fatal(err)
			}
			cert := issue(t, ca, testRSA(), "홍길동()0011", ext)

			name, gotHash, vid, err := VID(cert)
			if err != nil {
				t.Fatal(err)
			}
			if name != "홍길동" || gotHash != h || len(vid) != h.Size() {
				t.Fatalf("VID: %q, %v, %d bytes", name, gotHash, len(vid))
			}

			for _, tc := range []struct {
				name string
				rrn  string
				r    []byte
				want error
			}{
				{"the right number and R match", testRRN, testR, nil},
				{"the number written with its hyphen matches", testRRN[:6] + "-" + testRRN[6:], testR, nil},
				{"another number does not match", otherRRN, testR, ErrVIDMismatch},
				{"another R does not match", testRRN, append(append([]byte{}, testR[:19]...), testR[19]^1), ErrVIDMismatch},
				{"a shorter R does not match", testRRN, testR[:19], ErrVIDMismatch},
			} {
				t.Run(tc.name, func(t *testing.T) {
					if err := CheckVID(cert, tc.rrn, tc.r); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
						t.Fatalf("CheckVID: %v, want %v", err, tc.want)
					}
				})
			}
		})
	}
}

// TestVIDIsTheDoubleHash recomputes the VID from its definition, apart from
// the package's code.
func TestVIDIsTheDoubleHash(t *testing.T) {
	// SEQUENCE { PrintableString "8001011234560", BIT STRING 00 || R }
	der := []byte{0x30, byte(2 + 13 + 3 + len(testR)), 0x13, 13}
	der = append(der, testRRN...)
	der = append(der, 0x03, byte(1+len(testR)), 0x00)
	der = append(der, testR...)
	for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256} {
		d := h.New()
		d.Write(der)
		inner := d.Sum(nil)
		d = h.New()
		d.Write(inner)
		want := d.Sum(nil)
		got, err := computeVID(h, testRRN, testR)
		if err != nil || hex.EncodeToString(got) != hex.EncodeToString(want) {
			t.Fatalf("%v: %x, %v; want %x", h, got, err, want)
		}
	}
}

// TestVIDOfTheYessignTestCertificate reads the identifyData a real CA wrote
// (its SHA-256 AlgorithmIdentifier has no NULL parameters).
func TestVIDOfTheYessignTestCertificate(t *testing.T) {
	cert, err := x509.ParseCertificate(mustRead(t, filepath.Join(yessignDir, CertFile)))
	if err != nil {
		t.Fatal(err)
	}
	name, h, vid, err := VID(cert)
	if err != nil {
		t.Fatal(err)
	}
	if name != "HKD" || h != crypto.SHA256 || hex.EncodeToString(vid) != yessignVID {
		t.Fatalf("%q %v %x", name, h, vid)
	}
	// Our extension has the same shape: only the VID bytes differ.
	ext, err := MakeIdentifyDataExtension("HKD", testRRN, mustHex(t, yessignR), crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range cert.Extensions {
		if e.Id.Equal(oidSubjectAltName) {
			if len(e.Value) != len(ext.Value) || string(e.Value[:len(e.Value)-32]) != string(ext.Value[:len(ext.Value)-32]) {
				t.Fatalf("real %x\n ours %x", e.Value, ext.Value)
			}
		}
	}
	// The test certificate's number is not published; any guess mismatches.
	if err := CheckVID(cert, testRRN, mustHex(t, yessignR)); !errors.Is(err, ErrVIDMismatch) {
		t.Fatalf("CheckVID: %v", err)
	}
}

func TestCertificatesWithoutVID(t *testing.T) {
	ca := testpki.NewCA(t, "test CA")
	otherNameExt := func(typeID asn1.ObjectIdentifier) pkix.Extension {
		on, _ := asn1.MarshalWithParams(otherName{TypeID: typeID,
			Value: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: []byte{0x0c, 0x01, 'x'}}}, "tag:0")
		v, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: on})
		return pkix.Extension{Id: oidSubjectAltName, Value: v}
	}
	noVIDEntry, _ := asn1.Marshal(identifyData{RealName: "홍길동"})
	emptyIdentifyData := otherNameExt(oidIdentifyData)
	{
		on, _ := asn1.MarshalWithParams(otherName{TypeID: oidIdentifyData,
			Value: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: noVIDEntry}}, "tag:0")
		emptyIdentifyData.Value, _ = asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: on})
	}

	for _, tc := range []struct {
		name string
		cert *x509.Certificate
	}{
		{"no subjectAltName", issue(t, ca, testRSA(), "a")},
		{"a subjectAltName with only an e-mail address", func() *x509.Certificate {
			v, _ := asn1.Marshal([]asn1.RawValue{{Class: asn1.ClassContextSpecific, Tag: 1, Bytes: []byte("a@b.kr")}})
			return issue(t, ca, testRSA(), "b", pkix.Extension{Id: oidSubjectAltName, Value: v})
		}()},
		{"another kind of otherName", issue(t, ca, testRSA(), "c", otherNameExt(asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 20, 2, 3}))},
		{"identifyData with a name and no VID", issue(t, ca, testRSA(), "d", emptyIdentifyData)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, _, err := VID(tc.cert); !errors.Is(err, ErrNoVID) {
				t.Fatalf("VID: %v, want ErrNoVID", err)
			}
			if err := CheckVID(tc.cert, testRRN, testR); !errors.Is(err, ErrNoVID) {
				t.Fatalf("CheckVID: %v, want ErrNoVID", err)
			}
		})
	}
}

func TestBadInputsToTheVIDFunctions(t *testing.T) {
	ca := testpki.NewCA(t, "test CA")
	ext, _ := MakeIdentifyDataExtension("홍길동", testRRN, testR, crypto.SHA256)
	cert := issue(t, ca, testRSA(), "a", ext)
	for _, rrn := range []string{"", "800101123456", "80010112345678", "800101-123456", "80010-11234568", "８００１０１１２３４５６８", "8001011234a68"} {
		err := CheckVID(cert, rrn, testR)
		if err == nil || errors.Is(err, ErrVIDMismatch) {
			t.Errorf("RRN %q: %v, want a form error", rrn, err)
		} else if rrn != "" && strings.Contains(err.Error(), rrn) {
			t.Errorf("the error %q shows the number", err)
		}
	}
	if err := CheckVID(cert, testRRN, nil); err == nil || errors.Is(err, ErrVIDMismatch) {
		t.Errorf("no R: %v", err)
	}
	if _, err := MakeIdentifyDataExtension("x", testRRN, testR, crypto.MD5); err == nil {
		t.Error("MD5 VID made")
	}

	// A VID under an unknown hash algorithm is named by its OID.
	value, _ := asn1.Marshal(vidValue{HashAlg: pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 5}}, VID: make([]byte, 16)})
	id, _ := asn1.Marshal(identifyData{RealName: "x", UserInfo: []userInfo{{Type: oidVID, Value: asn1.RawValue{FullBytes: value}}}})
	on, _ := asn1.MarshalWithParams(otherName{TypeID: oidIdentifyData, Value: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: id}}, "tag:0")
	names, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: on})
	_, _, _, err := parseVIDExtension(names)
	var ua *UnsupportedAlgorithmError
	if !errors.As(err, &ua) || ua.OID.String() != "1.2.840.113549.2.5" || ua.Use != useVIDHash {
		t.Errorf("MD5 VID: %v", err)
	}
}
