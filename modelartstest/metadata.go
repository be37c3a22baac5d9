package modelartstest

import (
	"net/http"
	"strings"
)

// The ECS metadata service's credential routes (CREDENTIALS.md): a session
// token, then the agency's temporary credentials. Point
// auth.NewMetadataSigner at the server with
// auth.WithMetadataEndpoint(s.URL()), or the chain with
// MODELARTS_METADATA_ENDPOINT.
const (
	RouteMetadataToken       Route = "PUT /meta-data/latest/api/token"
	RouteMetadataSecurityKey Route = "GET /openstack/latest/securitykey"
)

var (
	_ = declarePublic(RouteMetadataToken, (*Server).metadataToken)
	_ = declarePublic(RouteMetadataSecurityKey, (*Server).metadataSecurityKey)
)

// metadataState holds the session tokens the metadata service issued.
type metadataState struct {
	sessions map[string]bool
	noAgency bool
}

// WithoutAgency makes the metadata service answer as on an instance with
// no cloud service agency attached (404, "Please configure Cloud Service
// Agency first").
func WithoutAgency() ServerOption {
	return serverOption(func(s *Server) { partLocked[metadataState](s).noAgency = true })
}

// metadataToken is PUT /meta-data/latest/api/token: a session token for
// X-Metadata-Token-Ttl-Seconds (1 to 21600) seconds.
func (s *Server) metadataToken(w http.ResponseWriter, r *http.Request) {
	ttl := r.Header.Get("X-Metadata-Token-Ttl-Seconds")
	if ttl == "" || strings.TrimLeft(ttl, "0123456789") != "" || len(ttl) > 5 {
		http.Error(w, "X-Metadata-Token-Ttl-Seconds is required", http.StatusBadRequest)
		return
	}
	tok := "metadata-session-" + randomHex(16)
	s.mu.Lock()
	st := partLocked[metadataState](s)
	if st.sessions == nil {
		st.sessions = map[string]bool{}
	}
	st.sessions[tok] = true
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte(tok))
}

// metadataSecurityKey is GET /openstack/latest/securitykey: the agency's
// credentials, for a request carrying a session token the service issued.
func (s *Server) metadataSecurityKey(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := partLocked[metadataState](s)
	if !st.sessions[r.Header.Get("X-Metadata-Token")] {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	if st.noAgency {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "Please configure Cloud Service Agency first"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"credential": s.issueLocked()})
}
