// Original file: protos/streamplatform/v1/events.proto

import type { VideoEvent as _streamplatform_v1_VideoEvent, VideoEvent__Output as _streamplatform_v1_VideoEvent__Output } from '../../streamplatform/v1/VideoEvent.ts';

export interface VideoEvents {
  'events'?: (_streamplatform_v1_VideoEvent)[];
}

export interface VideoEvents__Output {
  'events': (_streamplatform_v1_VideoEvent__Output)[];
}
