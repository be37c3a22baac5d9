package auth_test

import (
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

func ExampleNewAKSKSigner() {
	signer, err := auth.NewAKSKSigner("HPUAXR7YWRSNL8JQ1XKE", os.Getenv("HUAWEICLOUD_SDK_SK")+"example-sk",
		auth.WithSecurityToken("temporary-security-token"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%+v\n", signer)
	// Output: auth.AKSKSigner{AK:HPUAXR7YWRSNL8JQ1XKE, SK:[REDACTED], SecurityToken:[REDACTED]}
}

func ExampleNewIAMTokenSigner() {
	signer, err := auth.NewIAMTokenSigner(auth.PasswordCredentials{
		IAMEndpoint: "https://iam.cn-north-4.myhuaweicloud.com",
		DomainName:  "my-account",
		Username:    "deployer",
		Password:    "example-password",
		ProjectID:   "a4a5d4098fb4474fa22cd05f897d6b99",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(signer)
	// Output: auth.IAMTokenSigner{Credentials:auth.PasswordCredentials{IAMEndpoint:https://iam.cn-north-4.myhuaweicloud.com, DomainName:my-account, Username:deployer, Password:[REDACTED], ProjectID:a4a5d4098fb4474fa22cd05f897d6b99, ProjectName:}, Token:[REDACTED]}
}
