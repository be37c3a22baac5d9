package auth

import (
	"os"
	"strings"
)

// Environment variables read by SignerFromEnv (and modelarts.NewClientFromEnv).
// The HUAWEICLOUD_SDK_* names are those of the official Huawei Cloud SDK.
const (
	EnvAK            = "HUAWEICLOUD_SDK_AK"
	EnvSK            = "HUAWEICLOUD_SDK_SK"
	EnvSecurityToken = "HUAWEICLOUD_SDK_SECURITY_TOKEN"
	EnvRegion        = "HUAWEICLOUD_SDK_REGION"
	EnvProjectID     = "HUAWEICLOUD_SDK_PROJECT_ID"
	EnvIAMEndpoint   = "HUAWEICLOUD_SDK_IAM_ENDPOINT"
	EnvAuthToken     = "MODELARTS_AUTH_TOKEN"
	EnvIAMUsername   = "MODELARTS_IAM_USERNAME"
	EnvIAMPassword   = "MODELARTS_IAM_PASSWORD"
	EnvIAMDomain     = "MODELARTS_IAM_DOMAIN"
)

// MissingEnvError lists every environment variable that must be set and is
// not. It names variables, never their values.
type MissingEnvError struct {
	Missing []string
}

// Error lists the variables to set, never their values.
func (e *MissingEnvError) Error() string {
	return "modelarts: configuration from the environment is incomplete: set " + strings.Join(e.Missing, ", ")
}

// IAMEndpointForRegion returns the IAM endpoint of a Huawei Cloud region.
func IAMEndpointForRegion(region string) string {
	return "https://iam." + region + ".myhuaweicloud.com"
}

// SignerFromEnv builds a Signer from the environment; the first complete set
// wins:
//
//  1. HUAWEICLOUD_SDK_AK + HUAWEICLOUD_SDK_SK (+ HUAWEICLOUD_SDK_SECURITY_TOKEN): AK/SK signing
//  2. MODELARTS_AUTH_TOKEN: a static token
//  3. MODELARTS_IAM_USERNAME + MODELARTS_IAM_PASSWORD + MODELARTS_IAM_DOMAIN
//     (+ HUAWEICLOUD_SDK_IAM_ENDPOINT, default from HUAWEICLOUD_SDK_REGION):
//     IAM tokens scoped to HUAWEICLOUD_SDK_PROJECT_ID, else to the region.
//
// When none is complete it returns a *MissingEnvError naming what is missing.
func SignerFromEnv() (Signer, error) {
	return signerFromEnv(os.Getenv)
}

func signerFromEnv(getenv func(string) string) (Signer, error) {
	ak, sk := getenv(EnvAK), getenv(EnvSK)
	if ak != "" && sk != "" {
		var opts []AKSKOption
		if tok := getenv(EnvSecurityToken); tok != "" {
			opts = append(opts, WithSecurityToken(tok))
		}
		return NewAKSKSigner(ak, sk, opts...)
	}
	if tok := getenv(EnvAuthToken); tok != "" {
		return NewTokenSigner(tok), nil
	}
	creds := PasswordCredentials{
		IAMEndpoint: getenv(EnvIAMEndpoint),
		DomainName:  getenv(EnvIAMDomain),
		Username:    getenv(EnvIAMUsername),
		Password:    getenv(EnvIAMPassword),
		ProjectID:   getenv(EnvProjectID),
		ProjectName: getenv(EnvRegion),
	}
	if creds.IAMEndpoint == "" && creds.ProjectName != "" {
		creds.IAMEndpoint = IAMEndpointForRegion(creds.ProjectName)
	}
	if creds.ProjectID != "" {
		creds.ProjectName = ""
	}
	iamMissing := missingOf(map[string]string{
		EnvIAMUsername: creds.Username, EnvIAMPassword: creds.Password, EnvIAMDomain: creds.DomainName,
	}, EnvIAMUsername, EnvIAMPassword, EnvIAMDomain)
	if creds.IAMEndpoint == "" {
		iamMissing = append(iamMissing, EnvIAMEndpoint+" or "+EnvRegion)
	}
	if creds.ProjectID == "" && creds.ProjectName == "" {
		iamMissing = append(iamMissing, EnvProjectID+" or "+EnvRegion)
	}
	if len(iamMissing) == 0 {
		return NewIAMTokenSigner(creds)
	}

	// Nothing is complete: name what is missing of every half-set group.
	var missing []string
	if ak != "" || sk != "" {
		missing = append(missing, missingOf(map[string]string{EnvAK: ak, EnvSK: sk}, EnvAK, EnvSK)...)
	}
	if creds.Username != "" || creds.Password != "" || creds.DomainName != "" {
		missing = append(missing, iamMissing...)
	}
	if len(missing) == 0 {
		missing = []string{EnvAK + " and " + EnvSK + ", or " + EnvAuthToken + ", or " +
			EnvIAMUsername + ", " + EnvIAMPassword + " and " + EnvIAMDomain}
	}
	return nil, &MissingEnvError{Missing: missing}
}

func missingOf(vals map[string]string, names ...string) []string {
	var out []string
	for _, n := range names {
		if vals[n] == "" {
			out = append(out, n)
		}
	}
	return out
}
