package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/switchboard-hl7/switchboard/engine"
	"github.com/switchboard-hl7/switchboard/fhirclient"
)

func keysCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Manage the keys that sign each tenant's SMART Backend Services assertions",
	}
	cmd.AddCommand(keysGenerateCmd(), keysJWKSCmd())
	return cmd
}

func keysGenerateCmd() *cobra.Command {
	var tenant, alg, dir string
	cmd := &cobra.Command{
		Use:   "generate --tenant T [--alg RS384|ES384]",
		Short: "Create a new private key for a tenant and print the tenant's public JWK Set",
		Long: `Writes a new private key (mode 0600) into the tenant's key directory: the first
entry of tenants.<T>.keys in config.yaml, or <data_dir>/keys/<T>, or --dir. The newest key
signs; older ones stay published, so rotating is: generate, let the EHR fetch the JWK Set
(the engine serves it at /.well-known/jwks/<T>.json), then delete the old file.

Prints the tenant's public JWK Set (all its keys) on stdout, for EHRs that take an upload.`,
		Example: "  switchboard keys generate --tenant sandbox\n  switchboard keys generate --tenant stmarys --alg ES384",
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := keyDir(cmd, tenant, dir)
			if err != nil {
				return err
			}
			k, err := fhirclient.GenerateKey(strings.ToUpper(alg))
			if err != nil {
				return err
			}
			path := filepath.Join(dir, fhirclient.KeyFileName(k))
			if err := k.WriteFile(path); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "wrote %s (%s, kid %s)\n", path, k.Alg, k.ID)
			return printJWKS(dir)
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant name (required)")
	cmd.Flags().StringVar(&alg, "alg", fhirclient.RS384, "RS384 or ES384")
	cmd.Flags().StringVar(&dir, "dir", "", "key directory (default: from config.yaml)")
	cmd.MarkFlagRequired("tenant")
	return cmd
}

func keysJWKSCmd() *cobra.Command {
	var tenant, dir string
	cmd := &cobra.Command{
		Use:   "jwks --tenant T",
		Short: "Print a tenant's public JWK Set",
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := keyDir(cmd, tenant, dir)
			if err != nil {
				return err
			}
			return printJWKS(dir)
		},
	}
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant name (required)")
	cmd.Flags().StringVar(&dir, "dir", "", "key directory (default: from config.yaml)")
	cmd.MarkFlagRequired("tenant")
	return cmd
}

// keyDir returns the --dir given, or else finds the tenant's key
// directory in the configuration: its first keys entry, or
// <data_dir>/keys/<tenant> for a tenant not configured yet.
func keyDir(cmd *cobra.Command, tenant, dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	cfg, err := engine.Load(configPath(cmd))
	if err != nil {
		return "", fmt.Errorf("%w\n(or give --dir)", err)
	}
	if t, ok := cfg.Tenants[tenant]; ok && t != nil && len(t.Keys) > 0 {
		if strings.HasSuffix(t.Keys[0], ".pem") {
			return filepath.Dir(t.Keys[0]), nil
		}
		return t.Keys[0], nil
	}
	return filepath.Join(cfg.DataDir, "keys", tenant), nil
}

func printJWKS(dir string) error {
	keys, err := fhirclient.ReadKeys(dir)
	if err != nil {
		return err
	}
	out, err := json.MarshalIndent(fhirclient.JWKS(keys...), "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Println(string(out))
	return err
}
