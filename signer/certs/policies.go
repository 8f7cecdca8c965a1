package certs

// policyUses names the certificate policies (the certificatePolicies
// extension) of Korean licensed CAs by their use, as the picker shows it.
// The OIDs are those the CAs publish and that Korean signing clients filter
// on.
var policyUses = map[string][2]string{
	"1.2.410.200005.1.1.1":   {"개인 범용", "personal, all purposes"},
	"1.2.410.200005.1.1.5":   {"법인 범용", "business, all purposes"},
	"1.2.410.200005.1.1.4":   {"은행·보험용", "banking and insurance"},
	"1.2.410.200004.5.1.1.5": {"개인 범용", "personal, all purposes"},
	"1.2.410.200004.5.1.1.7": {"법인 범용", "business, all purposes"},
	"1.2.410.200004.5.1.1.9": {"증권·보험용", "securities and insurance"},
	"1.2.410.200004.5.2.1.2": {"개인 범용", "personal, all purposes"},
	"1.2.410.200004.5.2.1.1": {"법인 범용", "business, all purposes"},
	"1.2.410.200004.5.4.1.1": {"개인 범용", "personal, all purposes"},
	"1.2.410.200004.5.4.1.2": {"법인 범용", "business, all purposes"},
	"1.2.410.200012.1.1.1":   {"개인 범용", "personal, all purposes"},
	"1.2.410.200012.1.1.3":   {"법인 범용", "business, all purposes"},
	"1.2.410.200012.1.1.101": {"은행·보험용", "banking and insurance"},
}

// Use is what the certificate is for, in Korean and English, from its
// policy; "" when the policy is not a known Korean one.
func (e *Entry) Use() (ko, en string) {
	if e.Certificate == nil {
		return "", ""
	}
	for _, p := range e.Certificate.Policies {
		if u, ok := policyUses[p.String()]; ok {
			return u[0], u[1]
		}
	}
	return "", ""
}
