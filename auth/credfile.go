package auth

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/modelarts-go/modelarts/internal/errs"
)

// EnvCredentialsFile names the credentials file (official SDK name);
// without it the file is ~/.huaweicloud/credentials.
const EnvCredentialsFile = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"

// Keys of the credentials file's [basic] section, as the official SDK reads
// them.
const (
	fileKeyAK            = "ak"
	fileKeySK            = "sk"
	fileKeySecurityToken = "security_token"
	fileKeyProjectID     = "project_id"
	fileKeyDomainID      = "domain_id"
	fileKeyIAMEndpoint   = "iam_endpoint"
	fileKeyIdpID         = "idp_id"
	fileKeyIDTokenFile   = "id_token_file"
	credFileSection      = "basic"
	maxCredFile          = 1 << 20
)

// CredentialsFilePath returns where the credentials file is looked for:
// HUAWEICLOUD_SDK_CREDENTIALS_FILE, else ~/.huaweicloud/credentials.
func CredentialsFilePath() (string, error) {
	return credentialsFilePath(os.Getenv)
}

func credentialsFilePath(getenv func(string) string) (string, error) {
	if p := getenv(EnvCredentialsFile); p != "" {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("auth: the credentials file: no home directory to find ~/.huaweicloud/credentials in (%w); set %s", err, EnvCredentialsFile)
	}
	return filepath.Join(home, ".huaweicloud", "credentials"), nil
}

// credFile is the [basic] section of a credentials file. Its values are
// kept as read; the secrets among them go straight into a signer.
type credFile struct {
	path string
	vals map[string]string
}

// errNoCredFile is a credentials file that does not exist: that source is
// not configured.
var errNoCredFile = errors.New("no credentials file")

// readCredFile reads and parses the [basic] section of the file at path.
//
// The INI subset is parsed here rather than with a library: the file has
// one flat section of eight keys, and parsing it takes fifty lines, while
// gopkg.in/ini.v1 (what the official SDK uses) would add a dependency to
// every user of this module for them. The rules follow ini.v1's defaults so
// both SDKs read a file the same way: "key = value" or "key: value", keys
// and section names case-sensitive, lines starting with '#' or ';'
// ignored, an unquoted value cut at its first '#' or ';', a value within
// backquotes taken as is, one within single or double quotes unquoted, the
// last of repeated keys winning. Errors name the file and the line, never a
// value.
func readCredFile(path string) (*credFile, error) {
	f, err := openCredFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseCredFile(path, f)
}

// openCredFile opens the file at path, telling a file that does not exist
// (errNoCredFile: the source is not configured) from one that cannot be
// read, which is a mistake to report.
func openCredFile(path string) (*os.File, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNoCredFile
	}
	if err != nil {
		return nil, errs.Invalidf("auth: the credentials file %q cannot be opened: %v; fix its permissions, or point %s at another file", path, errors.Unwrap(err), EnvCredentialsFile)
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return nil, errs.Invalidf("auth: the credentials file %q is a directory; point %s at a file", path, EnvCredentialsFile)
	}
	return f, nil
}

// parseCredFile parses the credentials file read from r, of which it reads
// at most maxCredFile bytes; path is for the errors.
func parseCredFile(path string, r io.Reader) (*credFile, error) {
	sc := bufio.NewScanner(io.LimitReader(r, maxCredFile))
	sc.Buffer(make([]byte, 0, 4096), maxCredFile)
	p := credFileParser{cf: &credFile{path: path}}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF") // a BOM, as some editors write
		}
		if err := p.line(n, line); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		return nil, errs.Invalidf("auth: the credentials file %q cannot be read: %v", path, err)
	}
	if p.cf.vals == nil {
		return nil, errs.Invalidf("auth: the credentials file %q has no [%s] section; add one with ak and sk (or idp_id and id_token_file)", path, credFileSection)
	}
	return p.cf, nil
}

// credFileParser holds what parsing has found so far: the [basic] values,
// and the section the current line is in, since only [basic]'s keys count.
type credFileParser struct {
	cf      *credFile
	section string
}

// line parses line n, trimmed: a blank or comment line, a section header,
// or a key and its value.
func (p *credFileParser) line(n int, line string) error {
	switch {
	case line == "" || line[0] == '#' || line[0] == ';':
		return nil
	case line[0] == '[':
		return p.header(n, line)
	}
	return p.keyValue(n, line)
}

// header enters the section line n names. The values map is made when
// [basic] is first seen, so that a file without it can be told from one
// with an empty one.
func (p *credFileParser) header(n int, line string) error {
	if !strings.HasSuffix(line, "]") {
		return errs.Invalidf("auth: the credentials file %q, line %d: a section header lacks its closing ']'", p.cf.path, n)
	}
	p.section = strings.TrimSpace(line[1 : len(line)-1])
	if p.section == credFileSection && p.cf.vals == nil {
		p.cf.vals = map[string]string{}
	}
	return nil
}

// keyValue parses the "key = value" (or "key: value") of line n, keeping
// it when in [basic]; a malformed line is refused in any section, so a
// broken file is reported rather than half read.
func (p *credFileParser) keyValue(n int, line string) error {
	i := strings.IndexAny(line, "=:")
	if i <= 0 {
		return errs.Invalidf("auth: the credentials file %q, line %d: not a 'key = value' line", p.cf.path, n)
	}
	key := strings.TrimSpace(line[:i])
	val, ok := iniValue(line[i+1:])
	if !ok {
		return errs.Invalidf("auth: the credentials file %q, line %d: the value of %q spans lines, which this SDK does not read; put it on one line", p.cf.path, n, key)
	}
	if p.section == credFileSection {
		p.cf.vals[key] = val
	}
	return nil
}

// iniValue reads a value as ini.v1 does by default; ok is false for a
// multi-line value.
func iniValue(raw string) (string, bool) {
	v := strings.TrimSpace(raw)
	if v == "" {
		return "", true
	}
	if strings.HasPrefix(v, `"""`) || v[0] == '`' {
		q := v[:1]
		if v[0] == '"' {
			q = `"""`
		}
		rest := v[len(q):]
		end := strings.LastIndex(rest, q)
		if end < 0 {
			return "", false
		}
		return rest[:end], true
	}
	if strings.HasSuffix(v, `\`) {
		return "", false
	}
	if i := strings.IndexAny(v, "#;"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	return v, true
}

// get returns a value of the [basic] section.
func (cf *credFile) get(key string) string { return cf.vals[key] }

// fileError is a half-filled credentials file: it names the file and what
// to set.
func (cf *credFile) fileError(format string, args ...any) error {
	return errs.Invalidf("auth: the credentials file %q, section [%s]: %s", cf.path, credFileSection, fmt.Sprintf(format, args...))
}

// signer builds the signer the [basic] section configures: OIDC federation
// when idp_id and id_token_file are set (as the official SDK prefers), else
// the AK/SK pair. iamFallback is the IAM endpoint to use when the file sets
// none.
func (cf *credFile) signer(iamFallback string) (Signer, error) {
	idp, idf := cf.get(fileKeyIdpID), cf.get(fileKeyIDTokenFile)
	ak, sk := cf.get(fileKeyAK), cf.get(fileKeySK)
	switch {
	case idp != "" && idf != "":
		ep := cf.get(fileKeyIAMEndpoint)
		if ep == "" {
			ep = iamFallback
		}
		s, err := NewFederationSigner(FederationConfig{IAMEndpoint: ep, IdentityProviderID: idp, IDTokenFile: idf, ProjectID: cf.get(fileKeyProjectID)})
		if err != nil {
			return nil, cf.fileError("%v", strings.TrimPrefix(err.Error(), "auth: "))
		}
		return s, nil
	case idp != "":
		return nil, cf.fileError("%s is set but %s is not; set both for OIDC federation", fileKeyIdpID, fileKeyIDTokenFile)
	case idf != "":
		return nil, cf.fileError("%s is set but %s is not; set both for OIDC federation", fileKeyIDTokenFile, fileKeyIdpID)
	case ak != "" && sk != "":
		var opts []AKSKOption
		if tok := cf.get(fileKeySecurityToken); tok != "" {
			opts = append(opts, WithSecurityToken(tok))
		}
		s, err := NewAKSKSigner(ak, sk, opts...)
		if err != nil {
			return nil, cf.fileError("%v", strings.TrimPrefix(err.Error(), "auth: "))
		}
		return s, nil
	case ak != "":
		return nil, cf.fileError("%s is set but %s is not; set both keys of the pair", fileKeyAK, fileKeySK)
	case sk != "":
		return nil, cf.fileError("%s is set but %s is not; set both keys of the pair", fileKeySK, fileKeyAK)
	}
	return nil, cf.fileError("neither %s and %s nor %s and %s are set; set one pair", fileKeyAK, fileKeySK, fileKeyIdpID, fileKeyIDTokenFile)
}
