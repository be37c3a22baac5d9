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
