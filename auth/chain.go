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

func defaultSource(getenv func(string) string) (*Source, error) {
	iam := getenv(EnvIAMEndpoint)
	if iam == "" {
		if region := getenv(EnvRegion); region != "" {
			iam = IAMEndpointForRegion(region)
		}
	}
	project := getenv(EnvProjectID)

	// 1. The environment.
	idp, idf := getenv(EnvIdpID), getenv(EnvIDTokenFile)
	switch {
	case idp != "" && idf != "":
		ep := iam
		if ep == "" {
			ep = DefaultIAMEndpoint
		}
		s, err := NewFederationSigner(FederationConfig{IAMEndpoint: ep, IdentityProviderID: idp, IDTokenFile: idf, ProjectID: project})
		if err != nil {
			return nil, fmt.Errorf("auth: the environment's OIDC federation (%s, %s): %w", EnvIdpID, EnvIDTokenFile, trimAuth(err))
		}
		return &Source{Name: "environment (OIDC federation)", Signer: s, ProjectID: project, IAMEndpoint: iam}, nil
	case idp != "" || idf != "":
		set, unset := EnvIdpID, EnvIDTokenFile
		if idf != "" {
			set, unset = EnvIDTokenFile, EnvIdpID
		}
		return nil, errs.Invalidf("auth: the environment's OIDC federation is half configured: %s is set but %s is not; set both, or unset %s", set, unset, set)
	}
	s, err := signerFromEnv(getenv)
	if err == nil {
		name := "environment (AK/SK)"
		switch s.(type) {
		case *TokenSigner:
			name = "environment (" + EnvAuthToken + ")"
		case *IAMTokenSigner:
			name = "environment (IAM user)"
		}
		return &Source{Name: name, Signer: s, ProjectID: project, IAMEndpoint: iam}, nil
	}
	var me *MissingEnvError
	if !errors.As(err, &me) || len(me.Missing) > 0 {
		return nil, err // configured but broken
	}

	// 2. The credentials file.
	path, err := credentialsFilePath(getenv)
	if err != nil {
		return nil, err
	}
	cf, err := readCredFile(path)
	switch {
	case err == nil:
		fallback := iam
		if fallback == "" {
			fallback = DefaultIAMEndpoint
		}
		s, err := cf.signer(fallback)
		if err != nil {
			return nil, err
		}
		kind := "AK/SK"
		if _, ok := s.(*FederationSigner); ok {
			kind = "OIDC federation"
		}
		src := &Source{Name: "credentials file " + path + " (" + kind + ")", Signer: s, ProjectID: cf.get(fileKeyProjectID), IAMEndpoint: iam}
		if ep := cf.get(fileKeyIAMEndpoint); ep != "" {
			src.IAMEndpoint = ep
		}
		return src, nil
	case errors.Is(err, errNoCredFile) && getenv(EnvCredentialsFile) != "":
		return nil, errs.Invalidf("auth: the credentials file %q named by %s does not exist; fix the path or unset the variable", path, EnvCredentialsFile)
	case !errors.Is(err, errNoCredFile):
		return nil, err
	}

	// 3. CCE pod identity.
	uri, tokFile := getenv(EnvPodCredentialsURI), getenv(EnvPodTokenFile)
	switch {
	case uri != "" && tokFile != "":
		s, err := NewPodIdentitySigner(uri, tokFile)
		if err != nil {
			return nil, fmt.Errorf("auth: CCE pod identity (%s, %s): %w", EnvPodCredentialsURI, EnvPodTokenFile, trimAuth(err))
		}
		return &Source{Name: "CCE pod identity", Signer: s, ProjectID: project, IAMEndpoint: iam}, nil
	case uri != "" || tokFile != "":
		set, unset := EnvPodCredentialsURI, EnvPodTokenFile
		if tokFile != "" {
			set, unset = EnvPodTokenFile, EnvPodCredentialsURI
		}
		return nil, errs.Invalidf("auth: CCE pod identity is half configured: %s is set but %s is not; set both, or unset %s", set, unset, set)
	}

	// 4. ECS metadata, asked lazily.
	opts := []MetadataOption{}
	if ep := getenv(EnvMetadataEndpoint); ep != "" {
		opts = append(opts, WithMetadataEndpoint(ep))
	}
	ms, err := NewMetadataSigner(opts...)
	if err != nil {
		return nil, fmt.Errorf("auth: ECS metadata (%s): %w", EnvMetadataEndpoint, trimAuth(err))
	}
	ms.timeout = chainMetadataTimeout
	ms.hc.Timeout = chainMetadataTimeout
	ms.lastResort = ChainSteps
	return &Source{Name: SourceMetadata, Signer: ms, ProjectID: project, IAMEndpoint: iam}, nil
}

// trimAuth returns err with its "auth: " prefix dropped, for wrapping in
// another auth error; errors.Is and As still reach it.
func trimAuth(err error) error {
	return prefixTrimmed{err}
}

type prefixTrimmed struct{ error }

func (p prefixTrimmed) Error() string { return strings.TrimPrefix(p.error.Error(), "auth: ") }
func (p prefixTrimmed) Unwrap() error { return p.error }
