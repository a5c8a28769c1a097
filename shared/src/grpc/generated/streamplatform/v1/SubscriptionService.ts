// Original file: protos/streamplatform/v1/subscriptions.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ListSubscribersRequest as _streamplatform_v1_ListSubscribersRequest, ListSubscribersRequest__Output as _streamplatform_v1_ListSubscribersRequest__Output } from '../../streamplatform/v1/ListSubscribersRequest.ts';
import type { SubscriberBatch as _streamplatform_v1_SubscriberBatch, SubscriberBatch__Output as _streamplatform_v1_SubscriberBatch__Output } from '../../streamplatform/v1/SubscriberBatch.ts';

export interface SubscriptionServiceClient extends grpc.Client {
  /**
   * Streams the subscribers in user-id order, paging through the database, so a target with a
   * million subscribers streams in constant memory.
   */
  ListSubscribers(argument: _streamplatform_v1_ListSubscribersRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_streamplatform_v1_SubscriberBatch__Output>;
  ListSubscribers(argument: _streamplatform_v1_ListSubscribersRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_streamplatform_v1_SubscriberBatch__Output>;
  /**
   * Streams the subscribers in user-id order, paging through the database, so a target with a
   * million subscribers streams in constant memory.
   */
  listSubscribers(argument: _streamplatform_v1_ListSubscribersRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_streamplatform_v1_SubscriberBatch__Output>;
  listSubscribers(argument: _streamplatform_v1_ListSubscribersRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_streamplatform_v1_SubscriberBatch__Output>;
  
}

export interface SubscriptionServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Streams the subscribers in user-id order, paging through the database, so a target with a
   * million subscribers streams in constant memory.
   */
  ListSubscribers: grpc.handleServerStreamingCall<_streamplatform_v1_ListSubscribersRequest__Output, _streamplatform_v1_SubscriberBatch>;
  
}

export interface SubscriptionServiceDefinition extends grpc.ServiceDefinition {
  ListSubscribers: MethodDefinition<_streamplatform_v1_ListSubscribersRequest, _streamplatform_v1_SubscriberBatch, _streamplatform_v1_ListSubscribersRequest__Output, _streamplatform_v1_SubscriberBatch__Output>
}
