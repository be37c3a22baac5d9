package auth_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"os"

	"github.com/modelarts-go/modelarts/auth"
)

func ExampleNewTokenSigner() {
	signer := auth.NewTokenSigner("MIIT...token")
	fmt.Printf("%v\n", signer)
	// Output: auth.TokenSigner{Token:[REDACTED]}
}

func ExampleTokenSigner_Validate() {
	// An unset variable gives an empty token; Validate (and so
	// modelarts.NewClient) refuses it before any request is sent.
	signer := auth.NewTokenSigner(os.Getenv("A_VARIABLE_NOBODY_SET"))
	fmt.Println(signer.Validate())
	// Output: auth: the token is empty; pass a non-empty IAM token to NewTokenSigner
}

func ExampleNewAKSKSigner() {
	signer, err := auth.NewAKSKSigner("HPUAXR7YWRSNL8JQ1XKE", os.Getenv("HUAWEICLOUD_SDK_SK")+"example-sk",
		auth.WithSecurityToken("temporary-security-token"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", signer)
	// Output: auth.AKSKSigner{AK:HPUA…[REDACTED], SK:[REDACTED], SecurityToken:[REDACTED]}
}

func ExampleNewIAMTokenSigner() {
	signer, err := auth.NewIAMTokenSigner(auth.PasswordCredentials{
		IAMEndpoint: "https://iam.cn-north-4.myhuaweicloud.com",
		DomainName:  "my-account",
		Username:    "deployer",
		Password:    auth.NewSecret("example-password"),
		ProjectID:   "a4a5d4098fb4474fa22cd05f897d6b99",
	}, auth.WithRefreshMargin(auth.DefaultRefreshMargin))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(signer)
	// Output: auth.IAMTokenSigner{Credentials:auth.PasswordCredentials{IAMEndpoint:https://iam.cn-north-4.myhuaweicloud.com, DomainName:my-account, Username:deployer, Password:[REDACTED], ProjectID:a4a5d4098fb4474fa22cd05f897d6b99, ProjectName:}, Token:[REDACTED]}
}

func ExampleIAMTokenSigner_RedactSecrets() {
	signer, err := auth.NewIAMTokenSigner(auth.PasswordCredentials{
		IAMEndpoint: "https://iam.cn-north-4.myhuaweicloud.com",
		DomainName:  "my-account",
		Username:    "deployer",
		Password:    auth.NewSecret("pa<ss>word"),
		ProjectName: "cn-north-4",
	})
	if err != nil {
		log.Fatal(err)
	}
	// A server echoing the password, here JSON-escaped, as Go writes it.
	fmt.Println(signer.RedactSecrets(`{"error_msg":"bad password pa\u003css\u003eword"}`))
	// Output: {"error_msg":"bad password [REDACTED]"}
}

func ExampleIsTemporary() {
	// What a signer returns when IAM answered 503.
	err := fmt.Errorf("signing the request: %w", &auth.IAMError{StatusCode: 503, Endpoint: "https://iam.example.com/v3/auth/tokens", Username: "deployer"})
	fmt.Println(auth.IsTemporary(err), errors.Is(err, auth.ErrUnauthorized))

	err = &auth.IAMError{StatusCode: 401, Code: "IAM.0101", Endpoint: "https://iam.example.com/v3/auth/tokens", Username: "deployer"}
	fmt.Println(auth.IsTemporary(err), errors.Is(err, auth.ErrUnauthorized))
	// Output:
	// true false
	// false true
}

func ExampleMissingEnvError() {
	err := &auth.MissingEnvError{Missing: []string{auth.EnvSK}}
	fmt.Println(err)
	// Output:
	// modelarts: configuration from the environment is incomplete:
	//   - set HUAWEICLOUD_SDK_SK
}

func ExampleSignerFromEnv() {
	signer, err := auth.SignerFromEnv()
	var missing *auth.MissingEnvError
	if errors.As(err, &missing) {
		// missing.Missing names what a started set lacks; missing.Alternatives
		// lists the credential sets when none was started.
		fmt.Println(len(missing.Missing)+len(missing.Alternatives) > 0)
		return
	}
	if err != nil {
		log.Fatal(err)
	}
	_ = signer
}

// A password held in a Secret prints as [REDACTED] under every verb and in
// JSON; Reveal returns it.
func ExampleNewSecret() {
	creds := auth.PasswordCredentials{IAMEndpoint: "https://iam.cn-north-4.myhuaweicloud.com",
		DomainName: "corp", Username: "deployer", Password: auth.NewSecret("pa<ss>word"), ProjectName: "cn-north-4"}
	fmt.Printf("%v %s %q\n", creds.Password, creds.Password, creds.Password)
	b, _ := json.Marshal(creds.Password)
	fmt.Println(string(b), len(creds.Password.Reveal()))
	// Output:
	// [REDACTED] [REDACTED] [REDACTED]
	// "[REDACTED]" 10
}

// The chain: on ECS with an agency, in a CCE pod with a pod identity, in CI
// with an OIDC id-token, or on a laptop with a credentials file, the same
// line finds the credentials; nothing is fetched until the first request.
func ExampleDefaultSigner() {
	signer, err := auth.DefaultSigner()
	if err != nil {
		// A source is configured but broken: the error names the variable,
		// file or key to fix.
		log.Fatal(err)
	}
	_ = signer // modelarts.NewClient(endpoint, projectID, signer)
}

// An ECS instance's agency credentials, from a metadata sidecar in tests.
func ExampleNewMetadataSigner() {
	signer, err := auth.NewMetadataSigner(auth.WithMetadataEndpoint("http://127.0.0.1:8080"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(signer)
	// Output: auth.MetadataSigner{Endpoint:http://127.0.0.1:8080, Credentials:[REDACTED]}
}
