// Original file: protos/streamplatform/v1/subscriptions.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ListSubscribersRequest as _streamplatform_v1_ListSubscribersRequest, ListSubscribersRequest__Output as _streamplatform_v1_ListSubscribersRequest__Output } from '../../streamplatform/v1/ListSubscribersRequest.ts';
import type { Subscriber as _streamplatform_v1_Subscriber, Subscriber__Output as _streamplatform_v1_Subscriber__Output } from '../../streamplatform/v1/Subscriber.ts';

export interface SubscriptionServiceClient extends grpc.Client {
  /**
   * Streams the subscribers in user-id order, paging through the database, so a target with a
   * million subscribers streams in constant memory.
   */
  ListSubscribers(argument: _streamplatform_v1_ListSubscribersRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_streamplatform_v1_Subscriber__Output>;
  ListSubscribers(argument: _streamplatform_v1_ListSubscribersRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_streamplatform_v1_Subscriber__Output>;
  /**
   * Streams the subscribers in user-id order, paging through the database, so a target with a
   * million subscribers streams in constant memory.
   */
  listSubscribers(argument: _streamplatform_v1_ListSubscribersRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_streamplatform_v1_Subscriber__Output>;
  listSubscribers(argument: _streamplatform_v1_ListSubscribersRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_streamplatform_v1_Subscriber__Output>;
  
}

export interface SubscriptionServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Streams the subscribers in user-id order, paging through the database, so a target with a
   * million subscribers streams in constant memory.
   */
  ListSubscribers: grpc.handleServerStreamingCall<_streamplatform_v1_ListSubscribersRequest__Output, _streamplatform_v1_Subscriber>;
  
}

export interface SubscriptionServiceDefinition extends grpc.ServiceDefinition {
  ListSubscribers: MethodDefinition<_streamplatform_v1_ListSubscribersRequest, _streamplatform_v1_Subscriber, _streamplatform_v1_ListSubscribersRequest__Output, _streamplatform_v1_Subscriber__Output>
}
