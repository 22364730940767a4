/**
 * How editor logic (which has no React) tells the user something: the editor page plugs the app's
 * toaster in with `setNotifier`; until then messages go to the console.
 */
export interface NotifyOptions {
  action?: { label: string; onClick: () => void };
}

export interface Notifier {
  success(message: string, opts?: NotifyOptions): void;
  error(message: string, opts?: NotifyOptions): void;
  info(message: string, opts?: NotifyOptions): void;
}

let current: Notifier = {
  success: (m) => console.info(m),
  error: (m) => console.warn(m),
  info: (m) => console.info(m),
};

export function setNotifier(n: Notifier): void {
  current = n;
}

export const notify: Notifier = {
  success: (m, o) => current.success(m, o),
  error: (m, o) => current.error(m, o),
  info: (m, o) => current.info(m, o),
};
