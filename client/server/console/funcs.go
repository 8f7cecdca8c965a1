package console

import (
	"encoding/json"
	"fmt"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/bonsign/bonsign/api"
	"github.com/bonsign/bonsign/client/server/approval"
)

// funcs are the templates' helpers. Dates are shown in Korea Standard Time.
var funcs = template.FuncMap{
	"day":         day,
	"lastDay":     lastDay,
	"dateTime":    func(t time.Time) string { return t.In(api.KST).Format("2006-01-02 15:04") },
	"dateTimeSec": func(t time.Time) string { return t.In(api.KST).Format("2006-01-02 15:04:05") },
	// statusText names a confirmation's status for the officer console.
	"statusText": func(s string) string {
		if ko, ok := map[string]string{"issued": "발급됨 (issued)"}[s]; ok {
			return ko
		}
		return s
	},
	"statusKo": func(s approval.Status) string {
		return map[approval.Status]string{
			approval.StatusValid: "유효 (valid)", approval.StatusRenewable: "갱신 가능 (renewable)",
			approval.StatusExpired: "만료 (expired)", approval.StatusRevoked: "취소됨 (revoked)",
		}[s]
	},
	"methodKo": func(m string) string {
		ko, en := approval.MethodLabel(m)
		return ko + " (" + en + ")"
	},
	"channelKo": func(c string) string {
		return map[string]string{approval.ChannelSMS: "문자 (text)", approval.ChannelVoice: "음성전화 (voice)"}[c]
	},
	"consentKo": func(k string) string {
		return map[string]string{approval.ConsentLegalRepresentative: "법정대리인", approval.ConsentLimitedGuardian: "한정후견인"}[k]
	},
	"actionKo": func(a string) string {
		if ko, ok := map[string]string{
			approval.ActionApprove: "승인", approval.ActionReapprove: "새 승인(재승인)", approval.ActionRenew: "갱신",
			approval.ActionRevoke: "취소", approval.ActionConsent: "동의 기록", approval.ActionPasswordReset: "초기 비밀번호 재발급",
			approval.ActionPasswordChange: "비밀번호 변경(본인)",
		}[a]; ok {
			return ko + " (" + a + ")"
		}
		return a
	},
	"short": func(fp string) string {
		if len(fp) > 16 {
			return fp[:16] + "…"
		}
		return fp
	},
	"hasPrefix": strings.HasPrefix,
	"detail":    detail,
}

// detailLabels name the keys of a history row's detail.
var detailLabels = map[string]string{
	"expires_at": "만료", "previous_expiry": "이전 만료", "method": "본인확인", "channel": "수신",
	"certificate": "인증서", "token_certificate": "보안토큰", "limited_guardianship": "피한정후견인",
	"consent": "동의", "login_id": "로그인 ID",
}

// detail shows a history row's JSON detail as "label: value" items, dates as
// days in Korea.
func detail(js string) []string {
	var m map[string]any
	if json.Unmarshal([]byte(js), &m) != nil {
		return []string{js}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []string
	for _, k := range keys {
		v := fmt.Sprint(m[k])
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			v = lastDay(t) + "까지"
		}
		switch v {
		case "true":
			v = "예"
		case "false":
			continue
		case "vid":
			v = "공동인증서 VID"
		}
		label := detailLabels[k]
		if label == "" {
			label = k
		}
		out = append(out, label+": "+v)
	}
	return out
}

// day is t's date in Korea.
func day(t time.Time) string { return t.In(api.KST).Format("2006-01-02") }

// lastDay is the last day an approval expiring at t holds: t is midnight at
// the start of the first day it no longer holds.
func lastDay(t time.Time) string { return day(t.Add(-time.Nanosecond)) }
