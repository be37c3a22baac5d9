package auth

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// Environment variables read by SignerFromEnv (and modelarts.NewClientFromEnv).
//
// Shared with the official Huawei Cloud SDK, with the same meaning:
// HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, HUAWEICLOUD_SDK_SECURITY_TOKEN,
// HUAWEICLOUD_SDK_PROJECT_ID and HUAWEICLOUD_SDK_IAM_ENDPOINT.
//
// This SDK's own: HUAWEICLOUD_SDK_REGION (the official SDK has no such
// variable; it reads HUAWEICLOUD_SDK_REGION_{SERVICE}_{REGION} for endpoints
// only), MODELARTS_AUTH_TOKEN, MODELARTS_IAM_USERNAME,
// MODELARTS_IAM_PASSWORD and MODELARTS_IAM_DOMAIN (and, in package
// modelarts, MODELARTS_ENDPOINT).
const (
	EnvAK            = "HUAWEICLOUD_SDK_AK"             // official SDK name
	EnvSK            = "HUAWEICLOUD_SDK_SK"             // official SDK name
	EnvSecurityToken = "HUAWEICLOUD_SDK_SECURITY_TOKEN" // official SDK name
	EnvProjectID     = "HUAWEICLOUD_SDK_PROJECT_ID"     // official SDK name
	EnvIAMEndpoint   = "HUAWEICLOUD_SDK_IAM_ENDPOINT"   // official SDK name
	EnvRegion        = "HUAWEICLOUD_SDK_REGION"         // this SDK's own
	EnvAuthToken     = "MODELARTS_AUTH_TOKEN"           // this SDK's own
	EnvIAMUsername   = "MODELARTS_IAM_USERNAME"         // this SDK's own
	EnvIAMPassword   = "MODELARTS_IAM_PASSWORD"         // this SDK's own
	EnvIAMDomain     = "MODELARTS_IAM_DOMAIN"           // this SDK's own
)

// MissingEnvError reports an incomplete configuration from the environment.
// It names variables, never their values.
type MissingEnvError struct {
	// Missing lists every variable that must be set and is not: those of a
	// credential set the environment has started, and any other the caller
	// needs (modelarts.NewClientFromEnv adds the endpoint and project).
	Missing []string
	// Alternatives, when no credential set was started at all, lists each
	// set that would do, one readable entry per set, in the order they are
	// tried; set every variable of one of them.
	Alternatives []string
}

// Error lists the variables to set, one per line, then the credential sets
// to choose from, one per line; never a value.
func (e *MissingEnvError) Error() string {
	var b strings.Builder
	b.WriteString("modelarts: configuration from the environment is incomplete:")
	for _, m := range e.Missing {
		b.WriteString("\n  - set " + m)
	}
	if len(e.Alternatives) > 0 {
		b.WriteString("\n  - set the variables of one credential set:")
		for i, a := range e.Alternatives {
			fmt.Fprintf(&b, "\n      %d. %s", i+1, a)
		}
	}
	return b.String()
}

// credentialSets describes each set SignerFromEnv accepts, in its order.
var credentialSets = []string{
	"AK/SK signing: " + EnvAK + " and " + EnvSK + " (and " + EnvSecurityToken + " for temporary keys)",
	"a static IAM token: " + EnvAuthToken,
	"an IAM user: " + EnvIAMUsername + ", " + EnvIAMPassword + " and " + EnvIAMDomain +
		", with " + EnvRegion + " or " + EnvIAMEndpoint + " and " + EnvProjectID + " to scope the token",
}

// IAMEndpointForRegion returns the IAM endpoint of a Huawei Cloud region.
func IAMEndpointForRegion(region string) string {
	return "https://iam." + region + ".myhuaweicloud.com"
}

// SignerFromEnv builds a Signer from the environment alone (DefaultSigner is
// the whole chain: federation, this, the credentials file, pod identity and
// the metadata service); the first complete set wins:
//
//  1. HUAWEICLOUD_SDK_AK + HUAWEICLOUD_SDK_SK (+ HUAWEICLOUD_SDK_SECURITY_TOKEN): AK/SK signing
//  2. MODELARTS_AUTH_TOKEN: a static token
//  3. MODELARTS_IAM_USERNAME + MODELARTS_IAM_PASSWORD + MODELARTS_IAM_DOMAIN
//     (+ HUAWEICLOUD_SDK_IAM_ENDPOINT, default from HUAWEICLOUD_SDK_REGION):
//     IAM tokens scoped to HUAWEICLOUD_SDK_PROJECT_ID, else to the region.
//
// When none is complete it returns a *MissingEnvError: Missing names what a
// started set lacks; when no set was started, Alternatives lists the sets.
func SignerFromEnv() (Signer, error) {
	return signerFromEnv(os.Getenv)
}

// signerFromEnv tries each credential set in SignerFromEnv's order; when
// none is complete, the error names what the started sets lack.
func signerFromEnv(getenv func(string) string) (Signer, error) {
	ak, sk := getenv(EnvAK), getenv(EnvSK)
	if ak != "" && sk != "" {
		return akskSignerFromEnv(getenv, ak, sk)
	}
	if tok := getenv(EnvAuthToken); tok != "" {
		ts := NewTokenSigner(tok)
		if err := ts.Validate(); err != nil {
			return nil, fmt.Errorf("%w (read from %s)", err, EnvAuthToken)
		}
		return ts, nil
	}
	creds := iamCredentialsFromEnv(getenv)
	iamMissing := iamMissingFromEnv(creds)
	if len(iamMissing) == 0 {
		s, err := NewIAMTokenSigner(creds)
		if err != nil {
			return nil, err // never a typed nil inside the interface
		}
		return s, nil
	}
	return nil, incompleteEnvError(ak, sk, creds, iamMissing)
}

// akskSignerFromEnv is the AK/SK signer of the environment's pair, with its
// security token when the keys are temporary.
func akskSignerFromEnv(getenv func(string) string, ak, sk string) (Signer, error) {
	var opts []AKSKOption
	if tok := getenv(EnvSecurityToken); tok != "" {
		opts = append(opts, WithSecurityToken(tok))
	}
	s, err := NewAKSKSigner(ak, sk, opts...)
	if err != nil {
		return nil, err // never a typed nil inside the interface
	}
	return s, nil
}

// iamCredentialsFromEnv reads the IAM user set. The IAM endpoint defaults
// to the region's, and the token is scoped to the project when one is named
// (the region then only serves for the endpoint), else to the region.
func iamCredentialsFromEnv(getenv func(string) string) PasswordCredentials {
	creds := PasswordCredentials{
		IAMEndpoint: getenv(EnvIAMEndpoint),
		DomainName:  getenv(EnvIAMDomain),
		Username:    getenv(EnvIAMUsername),
		Password:    NewSecret(getenv(EnvIAMPassword)),
		ProjectID:   getenv(EnvProjectID),
		ProjectName: getenv(EnvRegion),
	}
	if creds.IAMEndpoint == "" && creds.ProjectName != "" {
		creds.IAMEndpoint = IAMEndpointForRegion(creds.ProjectName)
	}
	if creds.ProjectID != "" {
		creds.ProjectName = ""
	}
	return creds
}

// iamMissingFromEnv names what the IAM user set lacks: its three variables,
// an endpoint and a scope, each with the variables that would give it.
func iamMissingFromEnv(creds PasswordCredentials) []string {
	missing := missingOf(map[string]string{
		EnvIAMUsername: creds.Username, EnvIAMPassword: creds.Password.Reveal(), EnvIAMDomain: creds.DomainName,
	}, EnvIAMUsername, EnvIAMPassword, EnvIAMDomain)
	if creds.IAMEndpoint == "" {
		missing = append(missing, EnvIAMEndpoint+" or "+EnvRegion)
	}
	if creds.ProjectID == "" && creds.ProjectName == "" {
		missing = append(missing, EnvProjectID+" or "+EnvRegion)
	}
	return missing
}

// incompleteEnvError is the error when no set is complete. It names what is
// missing of every set half filled, as that is what the user meant to use;
// when none was started, it lists the sets to choose from instead.
func incompleteEnvError(ak, sk string, creds PasswordCredentials, iamMissing []string) error {
	var missing []string
	if ak != "" || sk != "" {
		missing = append(missing, missingOf(map[string]string{EnvAK: ak, EnvSK: sk}, EnvAK, EnvSK)...)
	}
	if creds.Username != "" || !creds.Password.IsZero() || creds.DomainName != "" {
		missing = append(missing, iamMissing...)
	}
	if len(missing) == 0 {
		return &MissingEnvError{Alternatives: slices.Clone(credentialSets)}
	}
	return &MissingEnvError{Missing: missing}
}

// missingOf returns the names, in order, whose value in vals is empty.
func missingOf(vals map[string]string, names ...string) []string {
	var out []string
	for _, n := range names {
		if vals[n] == "" {
			out = append(out, n)
		}
	}
	return out
}
