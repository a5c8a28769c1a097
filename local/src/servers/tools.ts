// Programs the platform runs rather than talks to: ffmpeg/ffprobe (HLS packaging), Chromium
// (browser tests), curl and jq (the READMEs' examples, run by a test), Python's venv (the
// CloudEvents SDK interoperability test installs PyPI's SDK into one). Debian packages,
// installed when missing.
import { spawnSync } from "node:child_process";
import { commandExists } from "../proc.ts";
import { ensureDebianPackages } from "../provision/apt.ts";
import type { Tool } from "./types.ts";

function firstLine(command: string, args: string[], pattern: RegExp): string | undefined {
  if (!commandExists(command)) return undefined;
  const out = spawnSync(command, args, { encoding: "utf8" });
  return pattern.exec(`${out.stdout}${out.stderr}`)?.[1];
}

export const ffmpeg: Tool = {
  name: "ffmpeg",
  title: "ffmpeg + ffprobe",
  provision: () => ensureDebianPackages("ffmpeg", ["ffmpeg"]),
  version: async () => firstLine("ffmpeg", ["-version"], /ffmpeg version (\S+)/),
};

export const chromium: Tool = {
  name: "chromium",
  title: "Chromium (headless browser tests)",
  provision: () => ensureDebianPackages("chromium", ["chromium"]),
  version: async () => firstLine("chromium", ["--version"], /Chromium (\S+)/),
};

export const jq: Tool = {
  name: "jq",
  title: "curl + jq (the READMEs' examples)",
  provision: () => ensureDebianPackages("jq", ["curl", "jq"]),
  version: async () => firstLine("jq", ["--version"], /jq-(\S+)/),
};

export const pythonVenv: Tool = {
  name: "python3-venv",
  title: "Python venv (the Python CloudEvents SDK test)",
  provision: () => ensureDebianPackages("python3-venv", ["python3-venv"]),
  version: async () => firstLine("python3", ["--version"], /Python (\S+)/),
};

export const tools: Tool[] = [ffmpeg, chromium, jq, pythonVenv];
