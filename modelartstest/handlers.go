package modelartstest

import (
	"net/http"
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
