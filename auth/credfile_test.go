package auth

import (
	"fmt"
	"testing"

	"github.com/modelarts-go/modelarts/internal/errs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The credentials file is read through defaultSource, as DefaultSigner
// reads it.

const basicAKSK = "[basic]\nak = AKFILEQWERTYUIOPASD\nsk = sk-file-0123456789abcdef\n"

func fileSource(t *testing.T, content string, kv map[string]string) (*Source, error) {
	t.Helper()
	path := writeFile(t, t.TempDir(), "credentials", content)
	if kv == nil {
		kv = map[string]string{}
	}
	kv[EnvCredentialsFile] = path
	return defaultSource(env(t, kv))
}

func TestCredFileByteOrderMarkAtTheStartOfTheFileIsSkipped(t *testing.T) {
	src, err := fileSource(t, "\uFEFF"+basicAKSK, nil)
	require.NoError(t, err)
	assert.Contains(t, src.Name, "(AK/SK)")
}

func TestCredFileByteOrderMarkAfterTheFirstLineIsPartOfTheKey(t *testing.T) {
	src, err := fileSource(t, basicAKSK+"\uFEFFproject_id = proj-bom\n", nil)
	require.NoError(t, err)
	assert.Empty(t, src.ProjectID, "only the file's first line may start with a BOM")
}

func TestCredFileLineWithoutAKeyIsAnErrorNamingTheLine(t *testing.T) {
	for _, line := range []string{"= proj", ": proj"} {
		t.Run(line, func(t *testing.T) {
			_, err := fileSource(t, basicAKSK+line+"\n", nil)
			require.Error(t, err)
			assert.ErrorIs(t, err, errs.ErrInvalidRequest)
			assert.Contains(t, err.Error(), "line 4: not a 'key = value' line")
		})
	}
}

func TestCredFileOneCharacterKeyIsRead(t *testing.T) {
	src, err := fileSource(t, basicAKSK+"x = 1\nproject_id = p\n", nil)
	require.NoError(t, err)
	assert.Equal(t, "p", src.ProjectID)
}

func TestCredFileValues(t *testing.T) {
	for raw, want := range map[string]string{
		`"proj-a"`:         "proj-a",     // double quotes are removed
		`'proj-b'`:         "proj-b",     // so are single quotes
		`""`:               "",           // an empty quoted value
		`"`:                `"`,          // one quote is the value itself
		`"proj-c'`:         `"proj-c'`,   // quotes that do not match stay
		`'proj-d"`:         `'proj-d"`,   // either way round
		`"proj-e`:          `"proj-e`,    // an unclosed quote stays
		`proj-f"`:          `proj-f"`,    // so does a closing one alone
		`xproj-gx`:         "xproj-gx",   // any other first and last character stays
		`;proj-h`:          "",           // a value that is all comment is empty
		`#proj-i`:          "",           // whichever comment character starts it
		`proj-j;x`:         "proj-j",     // a comment cuts the value
		"``":               "",           // empty backquotes
		"`proj-k;#`":       "proj-k;#",   // backquotes keep comment characters
		`""""""`:           "",           // empty triple quotes
		`"""proj-l;x"""`:   "proj-l;x",   // triple quotes keep them too
		`"""proj-"m"" """`: `proj-"m"" `, // and hold quotes within
	} {
		t.Run(raw, func(t *testing.T) {
			src, err := fileSource(t, basicAKSK+"project_id = "+raw+"\n", nil)
			require.NoError(t, err)
			assert.Equal(t, want, src.ProjectID)
		})
	}
}

func TestCredFileDirectoryIsRefusedAsADirectory(t *testing.T) {
	dir := t.TempDir()
	_, err := defaultSource(env(t, map[string]string{EnvCredentialsFile: dir}))
	require.Error(t, err)
	assert.ErrorIs(t, err, errs.ErrInvalidRequest)
	assert.Equal(t, fmt.Sprintf("auth: the credentials file %q is a directory; point %s at a file", dir, EnvCredentialsFile), err.Error())
}

func TestCredFileFederationUsesTheFilesIAMEndpoint(t *testing.T) {
	src, err := fileSource(t, "[basic]\nidp_id = idp-9\nid_token_file = /var/run/token\niam_endpoint = https://iam.cn-south-1.myhuaweicloud.com\n",
		map[string]string{EnvRegion: "cn-north-4"})
	require.NoError(t, err)
	assert.Contains(t, src.Name, "(OIDC federation)")
	assert.Equal(t, "https://iam.cn-south-1.myhuaweicloud.com", src.IAMEndpoint)
	assert.Contains(t, fmt.Sprint(src.Signer), "IAMEndpoint:https://iam.cn-south-1.myhuaweicloud.com,", "the file wins over the environment")
}

func TestCredFileFederationWithoutIAMEndpointUsesTheEnvironmentsRegion(t *testing.T) {
	src, err := fileSource(t, "[basic]\nidp_id = idp-9\nid_token_file = /var/run/token\n", map[string]string{EnvRegion: "cn-south-1"})
	require.NoError(t, err)
	assert.Equal(t, "https://iam.cn-south-1.myhuaweicloud.com", src.IAMEndpoint)
	assert.Contains(t, fmt.Sprint(src.Signer), "IAMEndpoint:https://iam.cn-south-1.myhuaweicloud.com,")
}

func TestCredFileFederationWithoutIAMEndpointUsesTheEnvironmentsEndpoint(t *testing.T) {
	src, err := fileSource(t, "[basic]\nidp_id = idp-9\nid_token_file = /var/run/token\n",
		map[string]string{EnvIAMEndpoint: "https://iam.example.test"})
	require.NoError(t, err)
	assert.Contains(t, fmt.Sprint(src.Signer), "IAMEndpoint:https://iam.example.test,")
}
