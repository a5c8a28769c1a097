// Original file: protos/streamplatform/v1/channels.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AuthorizePublishRequest as _streamplatform_v1_AuthorizePublishRequest, AuthorizePublishRequest__Output as _streamplatform_v1_AuthorizePublishRequest__Output } from '../../streamplatform/v1/AuthorizePublishRequest.ts';
import type { Channel as _streamplatform_v1_Channel, Channel__Output as _streamplatform_v1_Channel__Output } from '../../streamplatform/v1/Channel.ts';
import type { GetChannelRequest as _streamplatform_v1_GetChannelRequest, GetChannelRequest__Output as _streamplatform_v1_GetChannelRequest__Output } from '../../streamplatform/v1/GetChannelRequest.ts';

export interface ChannelServiceClient extends grpc.Client {
  /**
   * The channel a stream key publishes to; PERMISSION_DENIED for an unknown or rotated key.
   */
  AuthorizePublish(argument: _streamplatform_v1_AuthorizePublishRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_Channel__Output>): grpc.ClientUnaryCall;
  AuthorizePublish(argument: _streamplatform_v1_AuthorizePublishRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_streamplatform_v1_Channel__Output>): grpc.ClientUnaryCall;
  AuthorizePublish(argument: _streamplatform_v1_AuthorizePublishRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_Channel__Output>): grpc.ClientUnaryCall;
  AuthorizePublish(argument: _streamplatform_v1_AuthorizePublishRequest, callback: grpc.requestCallback<_streamplatform_v1_Channel__Output>): grpc.ClientUnaryCall;
  /**
   * The channel a stream key publishes to; PERMISSION_DENIED for an unknown or rotated key.
   */
  authorizePublish(argument: _streamplatform_v1_AuthorizePublishRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_Channel__Output>): grpc.ClientUnaryCall;
  authorizePublish(argument: _streamplatform_v1_AuthorizePublishRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_streamplatform_v1_Channel__Output>): grpc.ClientUnaryCall;
  authorizePublish(argument: _streamplatform_v1_AuthorizePublishRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_Channel__Output>): grpc.ClientUnaryCall;
  authorizePublish(argument: _streamplatform_v1_AuthorizePublishRequest, callback: grpc.requestCallback<_streamplatform_v1_Channel__Output>): grpc.ClientUnaryCall;
  
  /**
   * NOT_FOUND if there is no such channel.
   */
  GetChannel(argument: _streamplatform_v1_GetChannelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_Channel__Output>): grpc.ClientUnaryCall;
  GetChannel(argument: _streamplatform_v1_GetChannelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_streamplatform_v1_Channel__Output>): grpc.ClientUnaryCall;
  GetChannel(argument: _streamplatform_v1_GetChannelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_streamplatform_v1_Channel__Output>): grpc.ClientUnaryCall;
  GetChannel(argument: _streamplatform_v1_GetChannelRequest, callback: grpc.requestCallback<_streamplatform_v1_Channel__Output>): grpc.ClientUnaryCall;
  
}

export interface ChannelServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * The channel a stream key publishes to; PERMISSION_DENIED for an unknown or rotated key.
   */
  AuthorizePublish: grpc.handleUnaryCall<_streamplatform_v1_AuthorizePublishRequest__Output, _streamplatform_v1_Channel>;
  
  /**
   * NOT_FOUND if there is no such channel.
   */
  GetChannel: grpc.handleUnaryCall<_streamplatform_v1_GetChannelRequest__Output, _streamplatform_v1_Channel>;
  
}

export interface ChannelServiceDefinition extends grpc.ServiceDefinition {
  AuthorizePublish: MethodDefinition<_streamplatform_v1_AuthorizePublishRequest, _streamplatform_v1_Channel, _streamplatform_v1_AuthorizePublishRequest__Output, _streamplatform_v1_Channel__Output>
  GetChannel: MethodDefinition<_streamplatform_v1_GetChannelRequest, _streamplatform_v1_Channel, _streamplatform_v1_GetChannelRequest__Output, _streamplatform_v1_Channel__Output>
}
