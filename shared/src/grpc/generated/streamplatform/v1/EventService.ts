// Original file: protos/streamplatform/v1/events.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetCurrentEventRequest as _streamplatform_v1_GetCurrentEventRequest, GetCurrentEventRequest__Output as _streamplatform_v1_GetCurrentEventRequest__Output } from '../../streamplatform/v1/GetCurrentEventRequest.ts';
import type { GetEventRequest as _streamplatform_v1_GetEventRequest, GetEventRequest__Output as _streamplatform_v1_GetEventRequest__Output } from '../../streamplatform/v1/GetEventRequest.ts';
import type { GetEventsRequest as _streamplatform_v1_GetEventsRequest, GetEventsRequest__Output as _streamplatform_v1_GetEventsRequest__Output } from '../../streamplatform/v1/GetEventsRequest.ts';
import type { VideoEvent as _streamplatform_v1_VideoEvent, VideoEvent__Output as _streamplatform_v1_VideoEvent__Output } from '../../streamplatform/v1/VideoEvent.ts';
import type { VideoEvents as _streamplatform_v1_VideoEvents, VideoEvents__Output as _streamplatform_v1_VideoEvents__Output } from '../../streamplatform/v1/VideoEvents.ts';

export interface EventServiceClient extends grpc.Client {
  /**
   * The event a stream on this channel belongs to: the live one, else the scheduled one
   * starting soonest within the next hour or started within the last hour; NOT_FOUND if none.
   */
  GetCurrentEvent(argument: _streamplatform_v1_GetCurrentEventRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_VideoEvent__Output>): grpc.ClientUnaryCall;
  GetCurrentEvent(argument: _streamplatform_v1_GetCurrentEventRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_streamplatform_v1_VideoEvent__Output>): grpc.ClientUnaryCall;
  GetCurrentEvent(argument: _streamplatform_v1_GetCurrentEventRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_VideoEvent__Output>): grpc.ClientUnaryCall;
  GetCurrentEvent(argument: _streamplatform_v1_GetCurrentEventRequest, callback: grpc.requestCallback<_streamplatform_v1_VideoEvent__Output>): grpc.ClientUnaryCall;
  /**
   * The event a stream on this channel belongs to: the live one, else the scheduled one
   * starting soonest within the next hour or started within the last hour; NOT_FOUND if none.
   */
  getCurrentEvent(argument: _streamplatform_v1_GetCurrentEventRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_VideoEvent__Output>): grpc.ClientUnaryCall;
  getCurrentEvent(argument: _streamplatform_v1_GetCurrentEventRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_streamplatform_v1_VideoEvent__Output>): grpc.ClientUnaryCall;
  getCurrentEvent(argument: _streamplatform_v1_GetCurrentEventRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_VideoEvent__Output>): grpc.ClientUnaryCall;
  getCurrentEvent(argument: _streamplatform_v1_GetCurrentEventRequest, callback: grpc.requestCallback<_streamplatform_v1_VideoEvent__Output>): grpc.ClientUnaryCall;
  
  /**
   * One event by id; NOT_FOUND if there is none.
   */
  GetEvent(argument: _streamplatform_v1_GetEventRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_VideoEvent__Output>): grpc.ClientUnaryCall;
  GetEvent(argument: _streamplatform_v1_GetEventRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_streamplatform_v1_VideoEvent__Output>): grpc.ClientUnaryCall;
  GetEvent(argument: _streamplatform_v1_GetEventRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_VideoEvent__Output>): grpc.ClientUnaryCall;
  GetEvent(argument: _streamplatform_v1_GetEventRequest, callback: grpc.requestCallback<_streamplatform_v1_VideoEvent__Output>): grpc.ClientUnaryCall;
  /**
   * One event by id; NOT_FOUND if there is none.
   */
  getEvent(argument: _streamplatform_v1_GetEventRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_VideoEvent__Output>): grpc.ClientUnaryCall;
  getEvent(argument: _streamplatform_v1_GetEventRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_streamplatform_v1_VideoEvent__Output>): grpc.ClientUnaryCall;
  getEvent(argument: _streamplatform_v1_GetEventRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_VideoEvent__Output>): grpc.ClientUnaryCall;
  getEvent(argument: _streamplatform_v1_GetEventRequest, callback: grpc.requestCallback<_streamplatform_v1_VideoEvent__Output>): grpc.ClientUnaryCall;
  
  /**
   * Several events by id in one call (a list's cards): those that exist, in no particular order.
   */
  GetEvents(argument: _streamplatform_v1_GetEventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_VideoEvents__Output>): grpc.ClientUnaryCall;
  GetEvents(argument: _streamplatform_v1_GetEventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_streamplatform_v1_VideoEvents__Output>): grpc.ClientUnaryCall;
  GetEvents(argument: _streamplatform_v1_GetEventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_VideoEvents__Output>): grpc.ClientUnaryCall;
  GetEvents(argument: _streamplatform_v1_GetEventsRequest, callback: grpc.requestCallback<_streamplatform_v1_VideoEvents__Output>): grpc.ClientUnaryCall;
  /**
   * Several events by id in one call (a list's cards): those that exist, in no particular order.
   */
  getEvents(argument: _streamplatform_v1_GetEventsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_VideoEvents__Output>): grpc.ClientUnaryCall;
  getEvents(argument: _streamplatform_v1_GetEventsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_streamplatform_v1_VideoEvents__Output>): grpc.ClientUnaryCall;
  getEvents(argument: _streamplatform_v1_GetEventsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_VideoEvents__Output>): grpc.ClientUnaryCall;
  getEvents(argument: _streamplatform_v1_GetEventsRequest, callback: grpc.requestCallback<_streamplatform_v1_VideoEvents__Output>): grpc.ClientUnaryCall;
  
}

export interface EventServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * The event a stream on this channel belongs to: the live one, else the scheduled one
   * starting soonest within the next hour or started within the last hour; NOT_FOUND if none.
   */
  GetCurrentEvent: grpc.handleUnaryCall<_streamplatform_v1_GetCurrentEventRequest__Output, _streamplatform_v1_VideoEvent>;
  
  /**
   * One event by id; NOT_FOUND if there is none.
   */
  GetEvent: grpc.handleUnaryCall<_streamplatform_v1_GetEventRequest__Output, _streamplatform_v1_VideoEvent>;
  
  /**
   * Several events by id in one call (a list's cards): those that exist, in no particular order.
   */
  GetEvents: grpc.handleUnaryCall<_streamplatform_v1_GetEventsRequest__Output, _streamplatform_v1_VideoEvents>;
  
}

export interface EventServiceDefinition extends grpc.ServiceDefinition {
  GetCurrentEvent: MethodDefinition<_streamplatform_v1_GetCurrentEventRequest, _streamplatform_v1_VideoEvent, _streamplatform_v1_GetCurrentEventRequest__Output, _streamplatform_v1_VideoEvent__Output>
  GetEvent: MethodDefinition<_streamplatform_v1_GetEventRequest, _streamplatform_v1_VideoEvent, _streamplatform_v1_GetEventRequest__Output, _streamplatform_v1_VideoEvent__Output>
  GetEvents: MethodDefinition<_streamplatform_v1_GetEventsRequest, _streamplatform_v1_VideoEvents, _streamplatform_v1_GetEventsRequest__Output, _streamplatform_v1_VideoEvents__Output>
}
