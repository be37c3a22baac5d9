package auth

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// onlyReader hides every method but Read, so http.NewRequest sets no
// GetBody and no ContentLength: the signer must read Body itself.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// failingReader returns its bytes, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func signedPOST(t *testing.T, body io.Reader) (*http.Request, error) {
	t.Helper()
	req, err := http.NewRequest("POST", "https://"+vecHost+"/v1/p/images", body)
	require.NoError(t, err)
	return req, fixedSigner(t).Sign(req)
}

func TestAKSKBodyWithoutGetBodyIsSignedAsTheSameBytesAndPutBack(t *testing.T) {
	const body = `{"name":"env","namespace":"team"}`
	viaGetBody, err := signedPOST(t, strings.NewReader(body))
	require.NoError(t, err)
	require.NotNil(t, viaGetBody.GetBody, "strings.Reader gives the request a GetBody")

	plain, err := signedPOST(t, onlyReader{strings.NewReader(body)})
	require.NoError(t, err)
	assert.Equal(t, viaGetBody.Header.Get("Authorization"), plain.Header.Get("Authorization"),
		"the body read from Body is hashed like the same body read from GetBody")

	sent, err := io.ReadAll(plain.Body)
	require.NoError(t, err)
	assert.Equal(t, body, string(sent), "the request still sends the whole body")
	require.NotNil(t, plain.GetBody, "a retry can send the body again")
	again, err := plain.GetBody()
	require.NoError(t, err)
	resent, _ := io.ReadAll(again)
	assert.Equal(t, body, string(resent))
}

func TestAKSKBodyFromGetBodyLeavesBodyUnread(t *testing.T) {
	req, err := http.NewRequest("POST", "https://"+vecHost+"/v1/p/images", strings.NewReader("payload"))
	require.NoError(t, err)
	original := req.Body
	require.NoError(t, fixedSigner(t).Sign(req))
	assert.True(t, original == req.Body, "the signer hashes a copy from GetBody and leaves Body as it was")
	sent, _ := io.ReadAll(req.Body)
	assert.Equal(t, "payload", string(sent))
}

func TestAKSKEmptyBodiesAreSignedAsTheHashOfNothing(t *testing.T) {
	none, err := signedPOST(t, nil)
	require.NoError(t, err)
	noBody, err := signedPOST(t, http.NoBody)
	require.NoError(t, err)
	empty, err := signedPOST(t, onlyReader{strings.NewReader("")})
	require.NoError(t, err)
	assert.Equal(t, none.Header.Get("Authorization"), noBody.Header.Get("Authorization"))
	assert.Equal(t, none.Header.Get("Authorization"), empty.Header.Get("Authorization"))
}

func TestAKSKBodyOfExactlyTheLimitIsSignedAndOneByteMoreIsRefused(t *testing.T) {
	atLimit := bytes.Repeat([]byte("a"), MaxSignedBodyBytes)
	over := bytes.Repeat([]byte("a"), MaxSignedBodyBytes+1)
	for name, tc := range map[string]struct {
		body          func([]byte) io.Reader
		unknownLength bool
	}{
		"known length (ContentLength)": {body: func(b []byte) io.Reader { return bytes.NewReader(b) }},
		"GetBody, unknown length":      {body: func(b []byte) io.Reader { return bytes.NewReader(b) }, unknownLength: true},
		"Body only":                    {body: func(b []byte) io.Reader { return onlyReader{bytes.NewReader(b)} }},
	} {
		for _, b := range [][]byte{atLimit, over} {
			req, err := http.NewRequest("POST", "https://"+vecHost+"/v1/p/images", tc.body(b))
			require.NoError(t, err)
			if tc.unknownLength {
				req.ContentLength = -1
			}
			err = fixedSigner(t).Sign(req)
			if len(b) == MaxSignedBodyBytes {
				assert.NoError(t, err, "%s: exactly 12 MB is signed", name)
				continue
			}
			require.Error(t, err, "%s: 12 MB and a byte is refused", name)
			assert.Contains(t, err.Error(), "body of 12582913 bytes cannot be AK/SK-signed", name)
			assert.Empty(t, req.Header.Get("Authorization"), name)
		}
	}
}

func TestAKSKBodyReadFailuresAreReportedNotSigned(t *testing.T) {
	boom := errors.New("disk gone")
	getBodyFails, err := http.NewRequest("POST", "https://"+vecHost+"/v1/p/images", strings.NewReader("x"))
	require.NoError(t, err)
	getBodyFails.GetBody = func() (io.ReadCloser, error) { return nil, boom }

	copyFails, err := http.NewRequest("POST", "https://"+vecHost+"/v1/p/images", strings.NewReader("x"))
	require.NoError(t, err)
	copyFails.GetBody = func() (io.ReadCloser, error) {
		return io.NopCloser(&failingReader{data: []byte("part"), err: boom}), nil
	}

	bodyFails, err := http.NewRequest("POST", "https://"+vecHost+"/v1/p/images", &failingReader{data: []byte("part"), err: boom})
	require.NoError(t, err)

	for name, req := range map[string]*http.Request{"GetBody fails": getBodyFails, "reading GetBody's copy fails": copyFails, "reading Body fails": bodyFails} {
		err := fixedSigner(t).Sign(req)
		require.ErrorIs(t, err, boom, name)
		assert.Contains(t, err.Error(), "cannot read the request body to sign it", name)
		assert.Empty(t, req.Header.Get("Authorization"), name)
	}
}

func TestAKSKSecretKeyOfFourBytesIsAccepted(t *testing.T) {
	_, err := NewAKSKSigner("AK-0123", "sk34")
	assert.NoError(t, err, "4 bytes is the shortest secret that can be redacted")
}

func TestAKSKAccessKeyOfEightCharactersOrFewerIsNotShownAtAll(t *testing.T) {
	for ak, want := range map[string]string{
		"AK345678":  "AK:" + Redacted + ",",
		"AK3456789": "AK:AK34…" + Redacted + ",",
	} {
		s, err := NewAKSKSigner(ak, "SK-0123456789")
		require.NoError(t, err)
		assert.Contains(t, s.String(), want)
		assert.Equal(t, s.String(), s.GoString())
	}
}

func TestZeroSignersRedactNothingAndPrintWithoutPanicking(t *testing.T) {
	for _, s := range []SecretRedactor{&TokenSigner{}, &AKSKSigner{}, &IAMTokenSigner{}} {
		assert.Equal(t, "text with MIIsecret", s.RedactSecrets("text with MIIsecret"), "%T", s)
	}
	assert.Equal(t, "auth.AKSKSigner{AK:"+Redacted+", SK:"+Redacted+"}", (&AKSKSigner{}).String())
	assert.Equal(t, "auth.TokenSigner{Token:"+Redacted+"}", (&TokenSigner{}).GoString())
	(&IAMTokenSigner{}).InvalidateToken("anything") // no cache: nothing to drop, no panic
	var nilIAM *IAMTokenSigner
	nilIAM.InvalidateToken("anything")
	assert.Equal(t, "x", nilIAM.RedactSecrets("x"))
}
