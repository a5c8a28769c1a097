import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { ListSubscribersRequest as _streamplatform_v1_ListSubscribersRequest, ListSubscribersRequest__Output as _streamplatform_v1_ListSubscribersRequest__Output } from './streamplatform/v1/ListSubscribersRequest.ts';
import type { SubscriberBatch as _streamplatform_v1_SubscriberBatch, SubscriberBatch__Output as _streamplatform_v1_SubscriberBatch__Output } from './streamplatform/v1/SubscriberBatch.ts';
import type { SubscriptionServiceClient as _streamplatform_v1_SubscriptionServiceClient, SubscriptionServiceDefinition as _streamplatform_v1_SubscriptionServiceDefinition } from './streamplatform/v1/SubscriptionService.ts';
import type { Target as _streamplatform_v1_Target, Target__Output as _streamplatform_v1_Target__Output } from './streamplatform/v1/Target.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  streamplatform: {
    v1: {
      ListSubscribersRequest: MessageTypeDefinition<_streamplatform_v1_ListSubscribersRequest, _streamplatform_v1_ListSubscribersRequest__Output>
      SubscriberBatch: MessageTypeDefinition<_streamplatform_v1_SubscriberBatch, _streamplatform_v1_SubscriberBatch__Output>
      SubscriptionService: SubtypeConstructor<typeof grpc.Client, _streamplatform_v1_SubscriptionServiceClient> & { service: _streamplatform_v1_SubscriptionServiceDefinition }
      Target: MessageTypeDefinition<_streamplatform_v1_Target, _streamplatform_v1_Target__Output>
    }
  }
}

