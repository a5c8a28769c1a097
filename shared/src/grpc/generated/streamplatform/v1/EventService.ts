// Original file: protos/streamplatform/v1/events.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetCurrentEventRequest as _streamplatform_v1_GetCurrentEventRequest, GetCurrentEventRequest__Output as _streamplatform_v1_GetCurrentEventRequest__Output } from '../../streamplatform/v1/GetCurrentEventRequest.ts';
import type { GetEventRequest as _streamplatform_v1_GetEventRequest, GetEventRequest__Output as _streamplatform_v1_GetEventRequest__Output } from '../../streamplatform/v1/GetEventRequest.ts';
import type { VideoEvent as _streamplatform_v1_VideoEvent, VideoEvent__Output as _streamplatform_v1_VideoEvent__Output } from '../../streamplatform/v1/VideoEvent.ts';

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
  
}

export interface EventServiceDefinition extends grpc.ServiceDefinition {
  GetCurrentEvent: MethodDefinition<_streamplatform_v1_GetCurrentEventRequest, _streamplatform_v1_VideoEvent, _streamplatform_v1_GetCurrentEventRequest__Output, _streamplatform_v1_VideoEvent__Output>
  GetEvent: MethodDefinition<_streamplatform_v1_GetEventRequest, _streamplatform_v1_VideoEvent, _streamplatform_v1_GetEventRequest__Output, _streamplatform_v1_VideoEvent__Output>
}
