import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { EventServiceClient as _streamplatform_v1_EventServiceClient, EventServiceDefinition as _streamplatform_v1_EventServiceDefinition } from './streamplatform/v1/EventService.ts';
import type { GetCurrentEventRequest as _streamplatform_v1_GetCurrentEventRequest, GetCurrentEventRequest__Output as _streamplatform_v1_GetCurrentEventRequest__Output } from './streamplatform/v1/GetCurrentEventRequest.ts';
import type { GetEventRequest as _streamplatform_v1_GetEventRequest, GetEventRequest__Output as _streamplatform_v1_GetEventRequest__Output } from './streamplatform/v1/GetEventRequest.ts';
import type { GetEventsRequest as _streamplatform_v1_GetEventsRequest, GetEventsRequest__Output as _streamplatform_v1_GetEventsRequest__Output } from './streamplatform/v1/GetEventsRequest.ts';
import type { VideoEvent as _streamplatform_v1_VideoEvent, VideoEvent__Output as _streamplatform_v1_VideoEvent__Output } from './streamplatform/v1/VideoEvent.ts';
import type { VideoEvents as _streamplatform_v1_VideoEvents, VideoEvents__Output as _streamplatform_v1_VideoEvents__Output } from './streamplatform/v1/VideoEvents.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  streamplatform: {
    v1: {
      EventService: SubtypeConstructor<typeof grpc.Client, _streamplatform_v1_EventServiceClient> & { service: _streamplatform_v1_EventServiceDefinition }
      GetCurrentEventRequest: MessageTypeDefinition<_streamplatform_v1_GetCurrentEventRequest, _streamplatform_v1_GetCurrentEventRequest__Output>
      GetEventRequest: MessageTypeDefinition<_streamplatform_v1_GetEventRequest, _streamplatform_v1_GetEventRequest__Output>
      GetEventsRequest: MessageTypeDefinition<_streamplatform_v1_GetEventsRequest, _streamplatform_v1_GetEventsRequest__Output>
      VideoEvent: MessageTypeDefinition<_streamplatform_v1_VideoEvent, _streamplatform_v1_VideoEvent__Output>
      VideoEvents: MessageTypeDefinition<_streamplatform_v1_VideoEvents, _streamplatform_v1_VideoEvents__Output>
    }
  }
}

