package modelartstest

import (
	"bytes"
	"io"
	"net/http"

	"github.com/modelarts-go/modelarts/internal/sdksign"
)

// maxBody bounds what the fake reads of a request body.
const maxBody = 12 << 20

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.served[RouteIAMToken] = true
	mux.HandleFunc(string(RouteIAMToken), s.withFaults(RouteIAMToken, s.issueToken))
	for route, h := range map[Route]http.HandlerFunc{
		RouteRegisterImage:      s.registerImage,
		RouteListImages:         s.listImages,
		RouteGetImage:           s.getImage,
		RouteDeleteImage:        s.deleteImage,
		RouteSyncImage:          s.syncImage,
		RouteListImageGroups:    s.listImageGroups,
		RouteUpdateImageGroup:   s.updateImageGroup,
		RouteDeleteImageGroup:   s.deleteImageGroup,
		RouteCreateImage:        s.createImage,
		RouteListNotebooks:      s.listNotebooks,
		RouteGetNotebook:        s.getNotebook,
		RouteStartNotebook:      s.startNotebook,
		RouteStopNotebook:       s.stopNotebook,
		RouteCreateSaveImageJob: s.createSaveImageJob,
		RouteGetSaveImageJob:    s.getSaveImageJob,
	} {
		s.served[route] = true
		mux.HandleFunc(string(route), s.withFaults(route, s.authenticated(h)))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", randomHex(16))
		writeError(w, http.StatusNotFound, "APIGW.0101", "The API does not exist or has not been published in the environment")
	})
	return mux
}

// authenticated checks the project and the credentials as the gateway and
// the service do, and hands the body, already read, to h via r.Body.
func (s *Server) authenticated(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			writeError(w, http.StatusBadRequest, "ModelArts.0104", "cannot read the request body")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if tok := r.Header.Get("X-Auth-Token"); tok != "" {
			s.mu.Lock()
			valid, known := s.tokens[tok]
			s.mu.Unlock()
			switch {
			case !known:
				writeError(w, http.StatusUnauthorized, "ModelArts.0203", "Invalid token")
				return
			case !valid:
				writeError(w, http.StatusUnauthorized, "ModelArts.0202", "The token has expired")
				return
			}
		} else if r.Header.Get("Authorization") != "" {
			err := sdksign.Verify(r, body, func(ak string) (string, bool) {
				s.mu.Lock()
				defer s.mu.Unlock()
				sk, ok := s.keys[ak]
				return sk, ok
			}, s.now())
			if err != nil {
				writeError(w, http.StatusUnauthorized, "APIGW.0301", "Incorrect IAM authentication information: "+err.Error())
				return
			}
		} else {
			writeError(w, http.StatusUnauthorized, "ModelArts.0201", "Token does not exist")
			return
		}
		if p := r.PathValue("project_id"); p != s.projectID {
			writeError(w, http.StatusForbidden, "ModelArts.0108", "No permission for project "+p)
			return
		}
		h(w, r)
	}
}
