package modelartstest

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"time"
)

// Temporary credentials the fake issues through its metadata service, its
// pod identity endpoint and IAM's federation routes. Its gateway accepts
// them, with their security token, until they expire on the server's Clock
// or RevokeIssuedCredentials revokes them (then it answers 401
// APIGW.0301, as the real gateway does for a revoked agency key).

// DefaultIssuedCredentialLifetime is how long issued credentials live: a
// day, as agency credentials do.
const DefaultIssuedCredentialLifetime = 24 * time.Hour

// issuedState is the part of the server's state that tracks issued
// credentials (see partLocked).
type issuedState struct {
	lifetime time.Duration
	expires  map[string]time.Time // AK → expiry
	revoked  map[string]bool
}

var issuedSeq atomic.Int64

// WithIssuedCredentialLifetime sets how long the temporary credentials the
// fake issues live (default DefaultIssuedCredentialLifetime).
func WithIssuedCredentialLifetime(d time.Duration) ServerOption {
	return serverOption(func(s *Server) { partLocked[issuedState](s).lifetime = d })
}

// issueLocked makes a temporary key pair the gateway accepts and returns
// it in the shape the metadata service, pod identity and IAM share.
// Call with s.mu held.
func (s *Server) issueLocked() map[string]string {
	st := partLocked[issuedState](s)
	if st.expires == nil {
		st.expires, st.revoked = map[string]time.Time{}, map[string]bool{}
	}
	life := st.lifetime
	if life <= 0 {
		life = DefaultIssuedCredentialLifetime
	}
	n := issuedSeq.Add(1)
	ak := fmt.Sprintf("TEMPAK%014d", n)
	sk := "temp-sk-" + randomHex(16)
	tok := "temp-security-token-" + randomHex(24)
	s.keys[ak] = sk
	if s.stsTokens == nil {
		s.stsTokens = map[string]string{}
	}
	s.stsTokens[ak] = tok
	exp := s.now().UTC().Add(life)
	st.expires[ak] = exp
	return map[string]string{
		"access": ak, "secret": sk, "securitytoken": tok,
		"expires_at": exp.Format("2006-01-02T15:04:05.000000Z"),
	}
}

// issuedUsableLocked reports whether ak, if the fake issued it, is still
// accepted. Call with s.mu held.
func (s *Server) issuedUsableLocked(ak string) bool {
	st := partLocked[issuedState](s)
	exp, issued := st.expires[ak]
	return !issued || (!st.revoked[ak] && s.gatewayNow().Before(exp))
}

// RevokeIssuedCredentials makes the gateway refuse every temporary key
// pair the fake issued so far (401 APIGW.0301); new ones are accepted.
func (s *Server) RevokeIssuedCredentials() {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := partLocked[issuedState](s)
	for ak := range st.expires {
		if st.revoked == nil {
			st.revoked = map[string]bool{}
		}
		st.revoked[ak] = true
	}
}

// IssuedCredentials returns how many temporary key pairs the fake has
// issued, through all its credential routes.
func (s *Server) IssuedCredentials() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(partLocked[issuedState](s).expires)
}

// declarePublic adds a route that needs no gateway credentials (the
// metadata service, pod identity, IAM's token routes).
func declarePublic(route Route, handle func(*Server, http.ResponseWriter, *http.Request)) bool {
	apis = append(apis, api{route: route, handle: handle, public: true})
	return true
}
