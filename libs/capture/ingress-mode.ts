/**
 * How the ingress gets its traffic. inline: it is the proxy in front of the primary and mirrors a
 * sample itself. mirror-target: a mesh (Istio `mirror`, Envoy request_mirror_policies, nginx
 * `mirror`) mirrors to it; it answers at once and asks the primary, the shadow and the secondary itself.
 */
export const INGRESS_MODES = ['inline', 'mirror-target'] as const;
export type IngressMode = (typeof INGRESS_MODES)[number];
