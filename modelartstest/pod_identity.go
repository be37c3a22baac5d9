package modelartstest

import (
	"crypto/subtle"
	"io"
	"net/http"
)

// RoutePodIdentity is CCE pod identity's credential endpoint
// (CREDENTIALS.md): POST {} with the pod's token in Authorization. Point
// auth.NewPodIdentitySigner at PodIdentityURI, with a file holding
// PodToken, or set HC_CONTAINER_CREDENTIALS_FULL_URI and
// HC_CONTAINER_AUTHORIZATION_TOKEN_FILE for the chain.
const RoutePodIdentity Route = "POST /cce/pod-identity/credentials"

var _ = declarePublic(RoutePodIdentity, (*Server).podIdentity)

// podState holds the pod token the endpoint accepts.
type podState struct{ token string }

// PodIdentityURI is the URI of the fake's pod identity endpoint.
func (s *Server) PodIdentityURI() string { return s.srv.URL + "/cce/pod-identity/credentials" }

// PodToken returns the pod token the endpoint accepts now.
func (s *Server) PodToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.podTokenLocked()
}

func (s *Server) podTokenLocked() string {
	st := partLocked[podState](s)
	if st.token == "" {
		st.token = "pod-token-" + randomHex(24)
	}
	return st.token
}

// RotatePodToken replaces the pod token, as the kubelet does: the old one
// is refused from now on. It returns the new one, for the test to write to
// the token file.
func (s *Server) RotatePodToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	partLocked[podState](s).token = ""
	return s.podTokenLocked()
}

func (s *Server) podIdentity(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<10))
	s.mu.Lock()
	defer s.mu.Unlock()
	want := s.podTokenLocked()
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(want)) != 1 {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error_code": "CCE.01400001", "error_msg": "the pod token is invalid or expired"})
		return
	}
	if string(body) != "{}" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error_code": "CCE.01400002", "error_msg": "the body must be {}"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"credentials": s.issueLocked()})
}
