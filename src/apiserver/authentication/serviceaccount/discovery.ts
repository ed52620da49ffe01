// OIDC discovery for the service-account issuer (pkg/serviceaccount/openidmetadata.go).

export const OPENID_CONFIG_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';

export interface OpenIDMetadata {
  issuer: string;
  jwks_uri: string;
  response_types_supported: string[];
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
}

/**
 * The discovery document. jwks_uri is --service-account-jwks-uri when given, else https://<external address>/openid/v1/jwks
 * as upstream builds it, else the issuer plus the JWKS path.
 */
export function openIDConfiguration(issuer: string, opts: { jwksUri?: string; externalAddress?: string } = {}): OpenIDMetadata {
  const jwksUri = opts.jwksUri || (opts.externalAddress ? `https://${opts.externalAddress}${JWKS_PATH}` : `${issuer.replace(/\/+$/, '')}${JWKS_PATH}`);
  return {
    issuer,
    jwks_uri: jwksUri,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
}
