import { KubeConfig } from '@kubernetes/client-node';
import { KpathError } from '../errors.js';

/** A loaded kubeconfig and the name kpath-snapshot.json records for the cluster. */
export interface KubeAccess {
  readonly kc: KubeConfig;
  /** The context name (or the cluster's name, for in-cluster config). */
  readonly cluster: string;
}

/**
 * Loads the kubeconfig the way kubectl does: `--kubeconfig FILE`, else KUBECONFIG (several files
 * merged), else ~/.kube/config, else the in-cluster service account; then `--context`.
 * client-node resolves tokens and exec plugins itself; nothing of them is ever written.
 */
export function loadKubeAccess(opts: { kubeconfig?: string; context?: string }): KubeAccess {
  const kc = new KubeConfig();
  try {
    if (opts.kubeconfig !== undefined) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    throw new KpathError('E_KUBECONFIG', `cannot read the kubeconfig${opts.kubeconfig ? ` ${opts.kubeconfig}` : ''}: ${e instanceof Error ? e.message : String(e)}`, {
      hint: 'pass --kubeconfig FILE or set KUBECONFIG',
    });
  }
  if (opts.context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === opts.context)) {
      throw new KpathError('E_KUBECONFIG', `the kubeconfig has no context ${opts.context}`, {
        hint: `contexts: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'}`,
      });
    }
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new KpathError('E_KUBECONFIG', 'the kubeconfig names no current cluster', { hint: 'pass --context NAME or --kubeconfig FILE' });
  }
  const context = kc.getCurrentContext();
  return { kc, cluster: context && context !== 'loaded-context' && context !== 'inCluster' ? context : cluster.name };
}
