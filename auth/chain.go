package auth

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/modelarts-go/modelarts/internal/errs"
)

// EnvMetadataEndpoint overrides the ECS metadata address for DefaultSigner
// (this SDK's own), for tests and sidecars.
const EnvMetadataEndpoint = "MODELARTS_METADATA_ENDPOINT"

// chainMetadataTimeout bounds each metadata fetch of the chain's last
// resort: off ECS nothing answers at 169.254.169.254, and a laptop with
// nothing configured should hear so at once.
const chainMetadataTimeout = 2 * time.Second

// Source is what the default chain found: the signer, where it came from,
// and what that place says about the project and IAM.
type Source struct {
	// Name says which source won, e.g. "environment (AK/SK)",
	// "credentials file /home/u/.huaweicloud/credentials (AK/SK)",
	// "CCE pod identity", "ECS metadata".
	Name   string
	Signer Signer
	// ProjectID is the project the source names (HUAWEICLOUD_SDK_PROJECT_ID,
	// or project_id in the credentials file); "" when it names none.
	ProjectID string
	// IAMEndpoint is the IAM endpoint the source names, or the one of
	// HUAWEICLOUD_SDK_REGION; "" when neither is known.
	IAMEndpoint string
}

// chainSteps says what each source of the chain needs, in order; the
// errors of the chain list them.
var chainSteps = []string{
	"environment: " + EnvIdpID + " and " + EnvIDTokenFile + " (OIDC federation); or " + EnvAK + " and " + EnvSK +
		" (+ " + EnvSecurityToken + "); or " + EnvAuthToken + "; or " + EnvIAMUsername + ", " + EnvIAMPassword + " and " + EnvIAMDomain,
	"credentials file: " + EnvCredentialsFile + ", else ~/.huaweicloud/credentials, with a [basic] section holding ak and sk (or idp_id and id_token_file)",
	"CCE pod identity: " + EnvPodCredentialsURI + " and " + EnvPodTokenFile,
	"ECS metadata: an ECS or BMS instance with a cloud service agency attached (address " + EnvMetadataEndpoint + ", default " + DefaultMetadataEndpoint + ")",
}

// ChainSteps returns the sources of the default chain in the order tried,
// each with what it needs, as the chain's errors list them.
func ChainSteps() []string { return append([]string(nil), chainSteps...) }

// NoCredentialsError says that no credential source is configured and the
// last resort, the ECS metadata service, did not answer: Sources lists every
// source of the chain in order, with what it needs. It is not temporary: a
// machine with nothing configured fails at once.
type NoCredentialsError struct {
	Sources  []string // each source and what it needs, in order
	Metadata error    // what asking the metadata service gave
}

// Error lists every source and what it needs, then the metadata failure.
func (e *NoCredentialsError) Error() string {
	var b strings.Builder
	b.WriteString("auth: no credentials: nothing is configured and the ECS metadata service did not answer; configure one of, in the order tried:")
	for i, s := range e.Sources {
		fmt.Fprintf(&b, "\n  %d. %s", i+1, s)
	}
	if e.Metadata != nil {
		b.WriteString("\n(the metadata service: ")
		b.WriteString(strings.TrimPrefix(e.Metadata.Error(), "auth: "))
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the metadata failure.
func (e *NoCredentialsError) Unwrap() error { return e.Metadata }

// DefaultSigner returns the signer of the default credential chain. The
// first source that is configured wins:
//
//  1. the environment: OIDC federation (HUAWEICLOUD_SDK_IDP_ID and
//     HUAWEICLOUD_SDK_ID_TOKEN_FILE), then AK/SK (HUAWEICLOUD_SDK_AK,
//     HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_SECURITY_TOKEN), then this SDK's
//     token and IAM-user variables (see SignerFromEnv);
//  2. the credentials file (HUAWEICLOUD_SDK_CREDENTIALS_FILE, else
//     ~/.huaweicloud/credentials), section [basic];
//  3. CCE pod identity (HC_CONTAINER_CREDENTIALS_FULL_URI and
//     HC_CONTAINER_AUTHORIZATION_TOKEN_FILE);
//  4. the ECS metadata service (MODELARTS_METADATA_ENDPOINT overrides its
//     address).
//
// A source that is configured but broken (half its variables set, a file
// that does not parse or lacks a key) is an error naming it: the chain does
// not fall through, because a typo must not silently switch identity. The
// metadata service, used when nothing else is configured, is not asked here
// but at the first signature, under that request's context and within 2 s;
// if it does not answer, that signature fails with a *NoCredentialsError
// listing every source and what it needs.
func DefaultSigner() (Signer, error) {
	src, err := DefaultSource()
	if err != nil {
		return nil, err
	}
	return src.Signer, nil
}

// DefaultSource is DefaultSigner, also saying which source won and the
// project and IAM endpoint it names (modelarts.NewClientFromEnv uses them).
func DefaultSource() (*Source, error) {
	return defaultSource(os.Getenv)
}

// defaultSource tries the sources of the chain in order. Each step returns
// a nil Source and nil error when its source is not configured, so the
// chain moves on; any error stops the chain, since a source configured but
// broken must not let a later one silently supply another identity.
func defaultSource(getenv func(string) string) (*Source, error) {
	ce := chainEnv{getenv: getenv, iam: chainIAMEndpoint(getenv), project: getenv(EnvProjectID)}
	for _, step := range []func(chainEnv) (*Source, error){
		envFederationSource, // 1. the environment: OIDC federation first,
		envSignerSource,     //    then what SignerFromEnv accepts
		credFileSource,      // 2. the credentials file
		podIdentitySource,   // 3. CCE pod identity
	} {
		if src, err := step(ce); src != nil || err != nil {
			return src, err
		}
	}
	return metadataSource(ce) // 4. ECS metadata, asked lazily
}

// chainEnv is what every step of the chain reads: the environment, and the
// project and IAM endpoint it names, which a Source reports unless its own
// place names others.
type chainEnv struct {
	getenv  func(string) string
	iam     string // HUAWEICLOUD_SDK_IAM_ENDPOINT, else that of the region; may be ""
	project string // HUAWEICLOUD_SDK_PROJECT_ID; may be ""
}

// chainIAMEndpoint is the IAM endpoint the environment names, directly or
// through its region; "" when it names neither, so that a Source does not
// claim an endpoint nobody chose.
func chainIAMEndpoint(getenv func(string) string) string {
	if iam := getenv(EnvIAMEndpoint); iam != "" {
		return iam
	}
	if region := getenv(EnvRegion); region != "" {
		return IAMEndpointForRegion(region)
	}
	return ""
}

// iamOrDefault is the IAM endpoint a signer that must talk to IAM uses:
// the environment's, else the default, though the Source still reports "".
func (ce chainEnv) iamOrDefault() string {
	if ce.iam == "" {
		return DefaultIAMEndpoint
	}
	return ce.iam
}

// source is a Source of the environment's project and IAM endpoint.
func (ce chainEnv) source(name string, s Signer) *Source {
	return &Source{Name: name, Signer: s, ProjectID: ce.project, IAMEndpoint: ce.iam}
}

// halfConfigured is the error of a source that needs two variables and got
// one of them: it names the one set, so the fix is clear either way.
// bSet says which of a and b is the one set.
func halfConfigured(what, a, b string, bSet bool) error {
	set, unset := a, b
	if bSet {
		set, unset = b, a
	}
	return errs.Invalidf("auth: %s is half configured: %s is set but %s is not; set both, or unset %s", what, set, unset, set)
}

// envFederationSource is OIDC federation from the environment, tried
// before AK/SK as the official SDK does.
func envFederationSource(ce chainEnv) (*Source, error) {
	idp, idf := ce.getenv(EnvIdpID), ce.getenv(EnvIDTokenFile)
	switch {
	case idp != "" && idf != "":
		s, err := NewFederationSigner(FederationConfig{IAMEndpoint: ce.iamOrDefault(), IdentityProviderID: idp, IDTokenFile: idf, ProjectID: ce.project})
		if err != nil {
			return nil, fmt.Errorf("auth: the environment's OIDC federation (%s, %s): %w", EnvIdpID, EnvIDTokenFile, trimAuth(err))
		}
		return ce.source("environment (OIDC federation)", s), nil
	case idp != "" || idf != "":
		return nil, halfConfigured("the environment's OIDC federation", EnvIdpID, EnvIDTokenFile, idf != "")
	}
	return nil, nil
}

// envSignerSource is whatever SignerFromEnv accepts. A *MissingEnvError
// naming nothing missing means no set was started, so the chain moves on;
// any other error is a set started but broken.
func envSignerSource(ce chainEnv) (*Source, error) {
	s, err := signerFromEnv(ce.getenv)
	if err == nil {
		name := "environment (AK/SK)"
		switch s.(type) {
		case *TokenSigner:
			name = "environment (" + EnvAuthToken + ")"
		case *IAMTokenSigner:
			name = "environment (IAM user)"
		}
		return ce.source(name, s), nil
	}
	var me *MissingEnvError
	if !errors.As(err, &me) || len(me.Missing) > 0 {
		return nil, err // configured but broken
	}
	return nil, nil
}

// credFileSource is the credentials file. A file that does not exist is not
// configured, unless HUAWEICLOUD_SDK_CREDENTIALS_FILE names it: then the
// path is a mistake to report.
func credFileSource(ce chainEnv) (*Source, error) {
	path, err := credentialsFilePath(ce.getenv)
	if err != nil {
		return nil, err
	}
	cf, err := readCredFile(path)
	switch {
	case err == nil:
		return cf.source(ce)
	case errors.Is(err, errNoCredFile) && ce.getenv(EnvCredentialsFile) != "":
		return nil, errs.Invalidf("auth: the credentials file %q named by %s does not exist; fix the path or unset the variable", path, EnvCredentialsFile)
	case !errors.Is(err, errNoCredFile):
		return nil, err
	}
	return nil, nil
}

// source is the Source a parsed credentials file gives: its project, and
// its IAM endpoint over the environment's, since the file is the more
// specific place.
func (cf *credFile) source(ce chainEnv) (*Source, error) {
	s, err := cf.signer(ce.iamOrDefault())
	if err != nil {
		return nil, err
	}
	kind := "AK/SK"
	if _, ok := s.(*FederationSigner); ok {
		kind = "OIDC federation"
	}
	src := &Source{Name: "credentials file " + cf.path + " (" + kind + ")", Signer: s, ProjectID: cf.get(fileKeyProjectID), IAMEndpoint: ce.iam}
	if ep := cf.get(fileKeyIAMEndpoint); ep != "" {
		src.IAMEndpoint = ep
	}
	return src, nil
}

// podIdentitySource is CCE pod identity, configured by the two variables
// CCE injects into a pod.
func podIdentitySource(ce chainEnv) (*Source, error) {
	uri, tokFile := ce.getenv(EnvPodCredentialsURI), ce.getenv(EnvPodTokenFile)
	switch {
	case uri != "" && tokFile != "":
		s, err := NewPodIdentitySigner(uri, tokFile)
		if err != nil {
			return nil, fmt.Errorf("auth: CCE pod identity (%s, %s): %w", EnvPodCredentialsURI, EnvPodTokenFile, trimAuth(err))
		}
		return ce.source("CCE pod identity", s), nil
	case uri != "" || tokFile != "":
		return nil, halfConfigured("CCE pod identity", EnvPodCredentialsURI, EnvPodTokenFile, tokFile != "")
	}
	return nil, nil
}

// metadataSource is the last resort, the ECS metadata service. It is not
// asked here but at the first signature, with a short timeout so a machine
// off ECS fails fast, listing every source of the chain.
func metadataSource(ce chainEnv) (*Source, error) {
	opts := []MetadataOption{}
	if ep := ce.getenv(EnvMetadataEndpoint); ep != "" {
		opts = append(opts, WithMetadataEndpoint(ep))
	}
	ms, err := NewMetadataSigner(opts...)
	if err != nil {
		return nil, fmt.Errorf("auth: ECS metadata (%s): %w", EnvMetadataEndpoint, trimAuth(err))
	}
	ms.timeout = chainMetadataTimeout
	ms.hc.Timeout = chainMetadataTimeout
	ms.lastResort = ChainSteps
	return ce.source(SourceMetadata, ms), nil
}

// trimAuth returns err with its "auth: " prefix dropped, for wrapping in
// another auth error; errors.Is and As still reach it.
func trimAuth(err error) error {
	return prefixTrimmed{err}
}

type prefixTrimmed struct{ error }

func (p prefixTrimmed) Error() string { return strings.TrimPrefix(p.error.Error(), "auth: ") }
func (p prefixTrimmed) Unwrap() error { return p.error }
