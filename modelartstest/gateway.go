package modelartstest

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"io"
	"net/http"
)

// WithTemporaryAKSK makes the server accept requests signed with a
// temporary key pair, as issued by IAM with a security token: such a
// request must carry X-Security-Token equal to securityToken (and sign it),
// or the gateway refuses it with 401 APIGW.0301. A key pair given with
// WithAKSK is permanent and needs no token.
func WithTemporaryAKSK(ak, sk, securityToken string) ServerOption {
	return serverOption(func(s *Server) {
		s.keys[ak] = sk
		if s.stsTokens == nil {
			s.stsTokens = map[string]string{}
		}
		s.stsTokens[ak] = securityToken
	})
}

// authenticated checks the project and the credentials as the gateway and
// the service do, and hands the body, already read, to h via r.Body.
func (s *Server) authenticated(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, _ := r.Context().Value(logKey{}).(*Request)
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			writeError(w, http.StatusBadRequest, "ModelArts.0104", "cannot read the request body")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if tok := r.Header.Get("X-Auth-Token"); tok != "" {
			s.mu.Lock()
			known, valid := s.tokenLocked(tok)
			s.mu.Unlock()
			if e != nil {
				s.setIdentity(e, Identity{Kind: AuthToken, Verified: known && valid})
			}
			switch {
			case !known:
				writeError(w, http.StatusUnauthorized, "ModelArts.0203", "Invalid token")
				return
			case !valid:
				writeError(w, http.StatusUnauthorized, "ModelArts.0202", "The token has expired")
				return
			}
		} else if r.Header.Get("Authorization") != "" {
			if !s.verifyAKSK(w, r, body, e) {
				return
			}
		} else {
			writeError(w, http.StatusUnauthorized, "ModelArts.0201", "Token does not exist")
			return
		}
		// A route under a project must name the server's; IAM's routes
		// name none.
		if p := r.PathValue("project_id"); p != "" && p != s.projectID {
			writeError(w, http.StatusForbidden, "ModelArts.0108", "No permission for project "+p)
			return
		}
		// An AK/SK request names its project in X-Project-Id too; the
		// gateway scopes the key pair to it, so it must be the path's.
		if hp := r.Header.Get("X-Project-Id"); hp != "" && hp != s.projectID {
			writeError(w, http.StatusForbidden, "ModelArts.0108", "X-Project-Id "+hp+" is not the project of the path")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// verifyAKSK checks an SDK-HMAC-SHA256 signature as the API Gateway does
// (signature.go: any SignedHeaders that include x-sdk-date, the body hash
// or UNSIGNED-PAYLOAD, a date within 15 minutes of the gateway's clock)
// plus the security token of a temporary key pair. On failure it answers
// 401 and reports false.
func (s *Server) verifyAKSK(w http.ResponseWriter, r *http.Request, body []byte, e *Request) bool {
	s.mu.Lock()
	now := s.gatewayNow()
	s.mu.Unlock()
	ak, err := verifySignature(r, body, now, func(a string) (string, bool) {
		s.mu.Lock()
		defer s.mu.Unlock()
		sk, ok := s.keys[a]
		return sk, ok
	})
	if err == nil {
		err = s.checkSecurityToken(ak, r.Header.Get(sigTokenHeader))
	}
	if e != nil {
		s.mu.Lock()
		_, temporary := s.stsTokens[ak]
		s.mu.Unlock()
		s.setIdentity(e, Identity{Kind: AuthAKSK, AccessKey: ak, Temporary: temporary, Verified: err == nil})
	}
	switch {
	case err == nil:
		return true
	case errors.Is(err, errSigStale):
		s.writeGatewayError(w, "APIGW.0303", "Incorrect app authentication information: the request has expired: "+err.Error())
	default:
		s.writeGatewayError(w, "APIGW.0301", "Incorrect IAM authentication information: "+err.Error())
	}
	return false
}

// errIssuedExpired: issued credentials expired or were revoked.
var errIssuedExpired = errors.New("the temporary access key has expired or was revoked")

// errSecurityToken: a temporary key pair came without its security token.
var errSecurityToken = errors.New("the X-Security-Token of this temporary access key is missing or wrong")

// checkSecurityToken refuses a temporary key pair used without its token.
// Tokens sent with permanent key pairs are tolerated, as they always were.
func (s *Server) checkSecurityToken(ak, got string) error {
	s.mu.Lock()
	want, temporary := s.stsTokens[ak]
	usable := s.issuedUsableLocked(ak)
	s.mu.Unlock()
	if temporary && subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errSecurityToken
	}
	if !usable {
		return errIssuedExpired
	}
	return nil
}

// writeGatewayError answers 401 in the API Gateway's error shape, which
// carries the request ID in the body too.
func (s *Server) writeGatewayError(w http.ResponseWriter, code, msg string) {
	s.gatewayDate(w)
	writeJSON(w, http.StatusUnauthorized, map[string]string{
		"error_code": code, "error_msg": msg, "request_id": w.Header().Get("X-Request-Id"),
	})
}
