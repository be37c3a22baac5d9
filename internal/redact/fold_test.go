package redact

import "testing"

func TestContainsFoldFindsASecretInAnyCase(t *testing.T) {
	s := New("MIIalnumTokenSecret")
	for text, want := range map[string]bool{
		"X-Miialnumtokensecret": true,
		"x-miialnumtokensecret": true,
		"MIIALNUMTOKENSECRET":   true,
		"MIIalnumTokenSecre":    false,
		"":                      false,
	} {
		if got := s.ContainsFold(text); got != want {
			t.Errorf("ContainsFold(%q) = %v, want %v", text, got, want)
		}
	}
	if (*Set)(nil).ContainsFold("anything") {
		t.Error("a nil Set holds no secret")
	}
}

func TestOfRedactsAsNewDoes(t *testing.T) {
	secrets := []string{"MIIalnumTokenSecret", "sig0123456789abcdef"}
	text := `{"error_msg":"token MIIalnumTokenSecret and sig0123456789abcdef, url-encoded MIIalnumToken%53ecret"}`
	set := Of(secrets)
	if got, want := set.Redact(text), New(secrets...).Redact(text); got != want {
		t.Fatalf("Of: %q, New: %q", got, want)
	}
}
