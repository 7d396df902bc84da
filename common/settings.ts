// Settings the client sends and the server reads (section `pinsight`). Defaults live here once.

export interface PinsightSettings {
  enable: boolean;
}

export const defaultSettings: PinsightSettings = {
  enable: true,
};

/** Fills missing or wrongly typed settings with defaults; a bad setting never breaks the server. */
export function normalizeSettings(raw: unknown): PinsightSettings {
  const value = (raw ?? {}) as Partial<Record<keyof PinsightSettings, unknown>>;
  return {
    enable: typeof value.enable === 'boolean' ? value.enable : defaultSettings.enable,
  };
}
