/**
 * Renders deploy/kubernetes with `kubectl kustomize` and validates every object against the
 * Kubernetes, Istio and prometheus-operator schemas of kubernetes-models.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { ConfigMap, Namespace, PersistentVolumeClaim, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { DestinationRule, VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1';
import { PodMonitor, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';

export const DEPLOY_DIR = fileURLToPath(new URL('../../../deploy/kubernetes/', import.meta.url));
export const OVERLAYS = ['embedded', 'distributed', 'istio-inline', 'istio-mirror'] as const;

/** A rendered object, read loosely: the schema validation has checked its shape. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };

type Model = new (data: never) => { validate(): void };
const MODELS: Record<string, Model> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.istio.io/v1beta1/VirtualService': VirtualService,
  'networking.istio.io/v1beta1/DestinationRule': DestinationRule,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
  'monitoring.coreos.com/v1/PodMonitor': PodMonitor,
};

const KUBECTL_MISSING =
  'kubectl is needed to render deploy/kubernetes (`kubectl kustomize`). Install it: on Debian/Ubuntu ' +
  '`apt-get install kubectl` from the Kubernetes apt repository (https://kubernetes.io/docs/tasks/tools/), ' +
  'or put a kubectl binary of v1.27 or later on PATH.';

/** `kubectl kustomize DIR`: the YAML stream an `kubectl apply -k DIR` would send. */
export function render(dir: string): string {
  try {
    return execFileSync('kubectl', ['kustomize', `${DEPLOY_DIR}${dir}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(KUBECTL_MISSING);
    throw new Error(`kubectl kustomize ${dir} failed: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
    return doc.toJS() as K8sObject;
  });
}

/** Throws, naming the object, when no model knows its kind or the schema refuses it. */
export function validateObject(object: K8sObject): void {
  const id = `${object.apiVersion}/${object.kind}`;
  const model = MODELS[id];
  if (!model) throw new Error(`${id} ${object.metadata.name}: no schema to validate it with (add its model to MODELS)`);
  try {
    new model(object as never).validate();
  } catch (error) {
    throw new Error(`${id} ${object.metadata.name}: ${(error as Error).message}`);
  }
}

export const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);

export function named(objects: K8sObject[], kind: string, name: string, namespace?: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind} ${namespace ?? '*'}/${name}`);
  return found;
}

/** Whether a Service's (or selector's) labels all hold on a pod's labels. */
export const selects = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
